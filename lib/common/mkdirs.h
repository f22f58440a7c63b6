#ifndef MASKPIPE_MKDIRS_H
#define MASKPIPE_MKDIRS_H

/* Creates dir and its missing parents, as mkdir -p does; fails if dir
 * exists but is not a directory. */
int mkdirs(const char *dir);

#endif
