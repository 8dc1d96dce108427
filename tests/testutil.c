/* Helpers shared by the C tests. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

uint8_t *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		size_t got;

		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	*len = n;
	return buf;
}

char *tu_read_xz(const char *path, size_t *len)
{
	char cmd[8192];
	FILE *p;
	char *buf = NULL;
	size_t cap = 0, n = 0;

	snprintf(cmd, sizeof cmd, "xz -dc '%s'", path);
	p = popen(cmd, "r");
	if (p == NULL)
		return NULL;
	for (;;) {
		size_t got;

		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		got = fread(buf + n, 1, cap - n - 1, p);
		if (got == 0)
			break;
		n += got;
	}
	if (pclose(p) != 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int tu_read_status(const char *trace, const char *mode, char **err_text)
{
	char path[8192];
	size_t len;
	char *text, *nl;
	int code;

	snprintf(path, sizeof path, "%s.%s.status", trace, mode);
	text = (char *)tu_read_file(path, &len);
	if (text == NULL)
		return -1;
	text = realloc(text, len + 1);
	text[len] = '\0';
	if (sscanf(text, "exit=%d", &code) != 1) {
		free(text);
		return -1;
	}
	nl = strchr(text, '\n');
	*err_text = strdup(nl != NULL ? nl + 1 : "");
	free(text);
	return code;
}

static void walk(const char *dir, char ***list, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[8192];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path, list, n, cap);
		} else if (len > 6 && strcmp(e->d_name + len - 6, ".trace") == 0) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				*list = realloc(*list, *cap * sizeof **list);
				if (*list == NULL)
					abort();
			}
			(*list)[(*n)++] = strdup(path);
		}
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **tu_list_traces(const char *dir, size_t *n)
{
	char **list = NULL;
	size_t cap = 0;

	*n = 0;
	walk(dir, &list, n, &cap);
	if (*n > 1)
		qsort(list, *n, sizeof *list, cmp_str);
	return list;
}

void tu_free_list(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
