/* hub_schema.h - the hub's ordered list of migrations (hub_schema.c) */
#ifndef SM_HUB_SCHEMA_H
#define SM_HUB_SCHEMA_H

int hub_migration_count(void);
const char *hub_migration(int i); /* i from 0: brings version i to i+1 */

#endif
