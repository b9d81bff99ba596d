/* ingest.h: the home page's uploads (a file or a zipped site). */
#ifndef WISP_INGEST_H
#define WISP_INGEST_H

struct node;
struct evhttp_request;

void ingest_handle(struct node *n, struct evhttp_request *req, const char *path);
void ingest_free_all(struct node *n);

#endif
