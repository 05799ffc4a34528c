/* producer_consumer.h: the contract of kata 04, producer_consumer. Do not edit: the tests rely
 * on it. */
#ifndef PRODUCER_CONSUMER_H
#define PRODUCER_CONSUMER_H

#include <stddef.h>

/* A bounded FIFO queue of longs that any number of threads may put into and get from at once.
 * Its fields are yours to choose, so the header only names it: you define `struct queue` in
 * producer_consumer.c, and callers only ever hold a pointer to one. */
struct queue;

/* Makes an empty, open queue that holds at most `capacity` items. Returns the new queue, or
 * NULL when capacity is 0 or memory (or a mutex or condition variable) cannot be had. The
 * caller owns the queue and frees it with queue_destroy. */
struct queue *queue_create(size_t capacity);

/* Adds `item` at the tail. While the queue is full, the call blocks (without using the CPU)
 * until a get makes room or the queue is closed. Returns 0 when the item was added, -1 when
 * the queue is closed (also when it was closed while this call waited): the item is then not
 * added. */
int queue_put(struct queue *q, long item);

/* Takes the item at the head into *item. While the queue is empty and open, the call blocks
 * (without using the CPU) until a put adds an item or the queue is closed. Returns 0 with an
 * item in *item; returns 1, leaving *item alone, when the queue is closed and empty: the items
 * put before the close are all handed out first. Items come out in the order they went in, so
 * the items of each producer come out in that producer's order. */
int queue_get(struct queue *q, long *item);

/* Closes the queue: no put succeeds any more, and every thread blocked in queue_put or
 * queue_get wakes up (a put returns -1; a get takes what is left, then returns 1). Closing a
 * closed queue does nothing. */
void queue_close(struct queue *q);

/* Frees the queue and everything it holds. No thread may be using it any more, or start to:
 * join them first. queue_destroy(NULL) does nothing. */
void queue_destroy(struct queue *q);

#endif
