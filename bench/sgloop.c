/* The C floor for bench/datapath.py: READ(10)/WRITE(10) loops on sg nodes, no framework.
 *
 *   sgloop sgio|async r|w BYTES QD SECONDS indirect|mmap|direct seq|rand BLOCKS DEV[,DEV...]
 *
 * sgio: ioctl(SG_IO), one command at a time per device (QD is ignored).
 * async: write() the sg_io_hdr, poll() the fds, read() completions, resubmit at once;
 *        QD commands in flight per device, all devices in this one process.
 * mmap: SG_FLAG_MMAP_IO with the fd's reserved buffer (one fd per command in flight);
 * direct: SG_FLAG_DIRECT_IO with page-aligned buffers (the kernel falls back to indirect
 *         unless /sys/module/sg/parameters/allow_dio is 1).
 * Prints "commands bytes seconds direct_io_seen".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <scsi/sg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef SG_FLAG_MMAP_IO
#define SG_FLAG_MMAP_IO 4 /* include/scsi/sg.h; glibc's copy lacks it */
#endif

struct slot {
    int fd;
    int dev;
    unsigned char cdb[10];
    unsigned char sense[32];
    unsigned char *buf;
    sg_io_hdr_t hdr;
};

static int n_blocks_per_cmd, is_write, random_lba, flags;
static long dev_blocks;
static long *next_lba;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void prepare(struct slot *s, int pack_id)
{
    long lba;
    if (random_lba)
        lba = random() % (dev_blocks - n_blocks_per_cmd);
    else {
        lba = next_lba[s->dev];
        next_lba[s->dev] = lba + n_blocks_per_cmd + n_blocks_per_cmd > dev_blocks ? 0 : lba + n_blocks_per_cmd;
    }
    memset(s->cdb, 0, sizeof s->cdb);
    s->cdb[0] = is_write ? 0x2a : 0x28;
    s->cdb[2] = lba >> 24; s->cdb[3] = lba >> 16; s->cdb[4] = lba >> 8; s->cdb[5] = lba;
    s->cdb[7] = n_blocks_per_cmd >> 8; s->cdb[8] = n_blocks_per_cmd;
    memset(&s->hdr, 0, sizeof s->hdr);
    s->hdr.interface_id = 'S';
    s->hdr.dxfer_direction = is_write ? SG_DXFER_TO_DEV : SG_DXFER_FROM_DEV;
    s->hdr.cmd_len = 10;
    s->hdr.mx_sb_len = sizeof s->sense;
    s->hdr.dxfer_len = n_blocks_per_cmd * 512;
    s->hdr.dxferp = (flags & SG_FLAG_MMAP_IO) ? NULL : s->buf;
    s->hdr.cmdp = s->cdb;
    s->hdr.sbp = s->sense;
    s->hdr.timeout = 60000;
    s->hdr.flags = flags;
    s->hdr.pack_id = pack_id;
}

static int check(const sg_io_hdr_t *h)
{
    if (h->status || h->host_status || h->driver_status) {
        fprintf(stderr, "sgloop: status %#x host %#x driver %#x\n", h->status, h->host_status, h->driver_status);
        return -1;
    }
    return (h->info & SG_INFO_DIRECT_IO_MASK) == SG_INFO_DIRECT_IO;
}

int main(int argc, char **argv)
{
    if (argc != 10) {
        fprintf(stderr, "usage: sgloop sgio|async r|w BYTES QD SECONDS indirect|mmap|direct seq|rand BLOCKS DEV[,DEV...]\n");
        return 2;
    }
    int async = !strcmp(argv[1], "async");
    is_write = argv[2][0] == 'w';
    int bytes = atoi(argv[3]);
    int qd = async ? atoi(argv[4]) : 1;
    double seconds = atof(argv[5]);
    flags = !strcmp(argv[6], "mmap") ? SG_FLAG_MMAP_IO : !strcmp(argv[6], "direct") ? SG_FLAG_DIRECT_IO : 0;
    random_lba = !strcmp(argv[7], "rand");
    dev_blocks = atol(argv[8]);
    n_blocks_per_cmd = bytes / 512;
    char *devs[1024];
    int n_dev = 0;
    for (char *tok = strtok(argv[9], ","); tok && n_dev < 1024; tok = strtok(NULL, ","))
        devs[n_dev++] = tok;
    next_lba = calloc(n_dev, sizeof *next_lba);
    int per_fd = (flags & SG_FLAG_MMAP_IO) ? 1 : 16;
    int n_slots = n_dev * qd;
    struct slot *slots = calloc(n_slots, sizeof *slots);
    struct pollfd *pfd = calloc(n_slots, sizeof *pfd);
    int n_fd = 0;
    for (int d = 0; d < n_dev; d++) {
        int fd = -1;
        for (int q = 0; q < qd; q++) {
            struct slot *s = &slots[d * qd + q];
            if (q % per_fd == 0) {
                fd = open(devs[d], O_RDWR | (async ? O_NONBLOCK : 0));
                if (fd < 0) { perror(devs[d]); return 1; }
                pfd[n_fd].fd = fd;
                pfd[n_fd++].events = POLLIN;
            }
            s->fd = fd;
            s->dev = d;
            if (flags & SG_FLAG_MMAP_IO) {
                int size = bytes;
                if (ioctl(fd, SG_SET_RESERVED_SIZE, &size) < 0) { perror("SG_SET_RESERVED_SIZE"); return 1; }
                s->buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                if (s->buf == MAP_FAILED) { perror("mmap"); return 1; }
            } else if (posix_memalign((void **)&s->buf, 4096, bytes)) {
                return 1;
            }
            memset(s->buf, 0x5a, bytes);
        }
    }
    long done = 0, direct = 0;
    double start = now(), end = start + seconds;
    if (!async) {
        while (now() < end) {
            for (int d = 0; d < n_dev; d++) {
                prepare(&slots[d], 0);
                if (ioctl(slots[d].fd, SG_IO, &slots[d].hdr) < 0) { perror("SG_IO"); return 1; }
                int r = check(&slots[d].hdr);
                if (r < 0) return 1;
                direct += r;
                done++;
            }
        }
    } else {
        for (int i = 0; i < n_slots; i++) {
            prepare(&slots[i], i);
            if (write(slots[i].fd, &slots[i].hdr, sizeof slots[i].hdr) < 0) { perror("write"); return 1; }
        }
        int running = 1, in_flight = n_slots;
        while (in_flight) {
            if (running && now() >= end)
                running = 0;
            if (poll(pfd, n_fd, 1000) < 0) { perror("poll"); return 1; }
            for (int f = 0; f < n_fd; f++) {
                if (!(pfd[f].revents & POLLIN))
                    continue;
                for (;;) {
                    sg_io_hdr_t h;
                    memset(&h, 0, sizeof h);
                    h.interface_id = 'S';
                    h.dxfer_direction = SG_DXFER_NONE;
                    if (read(pfd[f].fd, &h, sizeof h) < 0) {
                        if (errno == EAGAIN) break;
                        perror("read"); return 1;
                    }
                    int r = check(&h);
                    if (r < 0) return 1;
                    direct += r;
                    done++;
                    in_flight--;
                    /* With delay=0 a completion is ready again at once: the clock is read
                     * here too, or this loop never ends. */
                    if (running && (done & 15) == 0 && now() >= end)
                        running = 0;
                    if (running) {
                        struct slot *s = &slots[h.pack_id];
                        prepare(s, h.pack_id);
                        if (write(s->fd, &s->hdr, sizeof s->hdr) < 0) { perror("write"); return 1; }
                        in_flight++;
                    }
                }
            }
        }
    }
    double elapsed = now() - start;
    printf("%ld %ld %.6f %ld\n", done, done * (long)bytes, elapsed, direct);
    return 0;
}
