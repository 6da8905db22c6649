/*
 * Preloaded into a redis-server (LD_PRELOAD) to step its wall clock as a test says: the file named by CLOCK_STEP_FILE
 * holds a signed 64-bit count of microseconds, in the machine's byte order, that gettimeofday and CLOCK_REALTIME are
 * moved by from then on; the monotonic clocks are left alone. libfaketime does this too, but it cannot start under
 * jemalloc, which Debian's redis-server uses. The real clock is read with the system call, never through the symbols
 * this file replaces.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int64_t *step_micros;

__attribute__((constructor)) static void map_step(void) {
    const char *path = getenv("CLOCK_STEP_FILE");
    if (path == NULL) {
        return;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return;
    }
    void *mapped = mmap(NULL, sizeof(int64_t), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (mapped != MAP_FAILED) {
        step_micros = mapped;
    }
}

int clock_gettime(clockid_t clock, struct timespec *ts) {
    long result = syscall(SYS_clock_gettime, clock, ts);
    if (result == 0 && step_micros != NULL && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) {
        int64_t micros = (int64_t) ts->tv_sec * 1000000 + ts->tv_nsec / 1000 + *step_micros;
        ts->tv_sec = micros / 1000000;
        ts->tv_nsec = (micros % 1000000) * 1000;
    }
    return (int) result;
}

int gettimeofday(struct timeval *tv, void *tz) {
    (void) tz;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}
