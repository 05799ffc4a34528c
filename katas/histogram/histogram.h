/* histogram.h: the contract of kata 03, histogram. Do not edit: the tests rely on it. */
#ifndef HISTOGRAM_H
#define HISTOGRAM_H

#include <stddef.h>

#define HISTOGRAM_MAX_THREADS 64

/* Counts how often each byte value occurs in data[0..n), with `nthreads` threads that each
 * count a part of the buffer. On return bins[b] is the number of i with data[i] == b, and
 * the bins add up to n. The function zeroes bins first, so their old contents do not
 * matter; the caller owns both arrays. n may be 0, or smaller than nthreads (some threads
 * then have nothing to count). When nthreads is not in 1..HISTOGRAM_MAX_THREADS the bins
 * are all left at zero and nothing is counted. */
void histogram_build(int nthreads, const unsigned char *data, size_t n, long bins[256]);

#endif
