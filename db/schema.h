/* schema.h - the ordered list of schema migrations */
#ifndef SM_SCHEMA_H
#define SM_SCHEMA_H

int schema_count(void);
const char *schema_migration(int i); /* i from 0: brings version i to i+1 */

#endif
