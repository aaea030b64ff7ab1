/*
 * loadgen: the load generator of bench/bench-servers. One thread, one epoll loop, the client
 * side of RFC 6455 written out here (opening handshake with a fixed key, masked frames, a
 * streaming parser for the server's frames) and, for permessage-deflate, zlib.
 *
 * It is single-threaded on purpose: the script pins it to one core (taskset -c 1) and the server
 * to the other, and it reports its own CPU use and the server's over the measured interval so a
 * run shows which side was the bottleneck. Every message it sends is a copy of one pre-built
 * masked frame (the mask key is fixed, the payload constant), so sending costs a writev and no
 * per-message masking; receiving costs a header parse and, with deflate, an inflate.
 *
 *   loadgen echo      --port P [--conns N] [--size B] [--window W] [--binary] [--deflate]
 *                     [--warmup S] [--duration S] [--watch-pid PID]
 *       N connections each keep W messages of B bytes in flight; every echo received is timed
 *       (send -> echo, FIFO per connection) and replaced by a new message.
 *   loadgen handshake --port P [--parallel N] [--warmup S] [--duration S] [--watch-pid PID]
 *       N slots in parallel: TCP connect, upgrade, client close frame, wait for the server's
 *       close frame and its TCP close, repeat.
 *   loadgen idle      --port P [--conns N]
 *       opens N connections, prints "OPEN <n> FAILED <m>", then holds them, sending nothing,
 *       until stdin reaches end of file or a line arrives; then exits.
 *   loadgen cserver   --port P
 *       a trivial WebSocket echo server (no deflate, one thread): the reference that shows how
 *       many messages per second the load generator itself can drive.
 *
 * Results: one JSON object on stdout. Latencies are in microseconds.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* ------------------------------------------------------------------ options */

static const char *mode;
static int port = 0;
static int conns = 100;
static int size = 32;
static int window = 16;
static int binary = 0;
static int use_deflate = 0;
static int parallel = 8;
static double warmup_s = 3;
static double duration_s = 10;
static int watch_pid = 0;

/* The key of RFC 6455's example, and the Sec-WebSocket-Accept it implies. */
#define WS_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define WS_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
static const unsigned char MASK[4] = {0x9a, 0x3c, 0x55, 0xe1};

static void die(const char *what) {
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void fail(const char *what) {
    fprintf(stderr, "loadgen: %s\n", what);
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* ------------------------------------------------------------------ latency histogram */

/* Log-linear buckets: exact below 128 ns, then 64 buckets per power of two (within 1.6%). */
#define HBUCKETS 4096
typedef struct {
    uint64_t count[HBUCKETS];
    uint64_t total, max;
} hist_t;

static int hist_index(uint64_t v) {
    if (v < 128) return (int) v;
    int e = 63 - __builtin_clzll(v);
    int idx = (e - 6) * 64 + (int) ((v >> (e - 6)) & 127);
    return idx < HBUCKETS ? idx : HBUCKETS - 1;
}

static uint64_t hist_value(int idx) { /* middle of the bucket */
    if (idx < 128) return (uint64_t) idx;
    int e = idx / 64 + 5;
    uint64_t m = (uint64_t) (idx % 64 + 64);
    return (m << (e - 6)) + ((1ull << (e - 6)) >> 1);
}

static void hist_add(hist_t *h, uint64_t v) {
    h->count[hist_index(v)]++;
    h->total++;
    if (v > h->max) h->max = v;
}

static double hist_pct_us(const hist_t *h, double q) {
    if (h->total == 0) return 0;
    uint64_t rank = (uint64_t) (q * (double) h->total);
    if (rank >= h->total) rank = h->total - 1;
    uint64_t seen = 0;
    for (int i = 0; i < HBUCKETS; i++) {
        seen += h->count[i];
        if (seen > rank) return hist_value(i) / 1000.0;
    }
    return h->max / 1000.0;
}

/* ------------------------------------------------------------------ CPU accounting */

static double self_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* CPU time every core of the machine spent busy (all but idle and iowait), from /proc/stat. The
 * measured interval's busy time minus ours and the server's is the "other CPU": other people's
 * work on the machine, which moves the peers unevenly; a run counts only when it is near 0. */
static double machine_busy_s(void) {
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return 0;
    unsigned long long v[8] = {0};
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
            &v[6], &v[7]);
    fclose(f);
    if (n < 4) return 0;
    unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    return (double) busy / sysconf(_SC_CLK_TCK);
}

static double machine0;

/* utime + stime of another process, from /proc/PID/stat (fields 14 and 15, clock ticks). */
static double pid_cpu_s(int pid) {
    if (pid <= 0) return 0;
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may contain spaces */
    if (!p) return 0;
    unsigned long ut = 0, st = 0;
    /* after ")": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return 0;
    return (double) (ut + st) / (double) sysconf(_SC_CLK_TCK);
}

/* ------------------------------------------------------------------ sockets */

static int epfd;

static int start_connect(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t) port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *) &a, sizeof a) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ------------------------------------------------------------------ connections */

enum { C_CONNECTING, C_UPGRADING, C_OPEN, C_CLOSE_SENT, C_CLOSE_RECEIVED, C_DONE };

typedef struct conn {
    int fd, state, want_out;
    uint64_t started; /* handshake mode: when the connect began */
    /* the opening handshake: request bytes still to write, response head read so far */
    const char *hs_out;
    size_t hs_out_len;
    char head[1024];
    size_t head_len;
    /* outgoing data frames: copies of one template, `pending` whole frames still to write,
       `frame_off` bytes of the first of them already written */
    uint64_t pending;
    size_t frame_off;
    /* send times of the messages in flight, a FIFO ring of `window` entries */
    uint64_t *sent;
    int sent_head, sent_count;
    /* frame parser */
    unsigned char hdr[14];
    int hdr_len, hdr_need;
    uint64_t payload_left;
    int opcode, fin, compressed_msg, in_message, msg_opcode, msg_wrong;
    uint64_t msg_bytes;
    z_stream *inflater;
} conn_t;

static conn_t *cs;
static int ncs;

/* The data frame every connection sends, built once. */
static unsigned char *frame;
static size_t frame_len;
static char request[512];
static size_t request_len;
/* Client close frame, status 1000, masked. */
static unsigned char close_frame[8];

static uint64_t messages, bytes, errors, protocol_errors;
static int measuring, running = 1;
static hist_t hist;
static unsigned char rbuf[256 * 1024];
static unsigned char zout[64 * 1024];

static void watch(conn_t *c, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl mod");
}

static void build_payload_frame(void) {
    unsigned char *payload = malloc((size_t) size + 1);
    for (int i = 0; i < size; i++) payload[i] = (unsigned char) ('a' + i % 26);
    unsigned char *body = payload;
    size_t body_len = (size_t) size;
    unsigned char *compressed = NULL;
    if (use_deflate) {
        /* Each message compressed on its own (a fresh stream): valid for a server that keeps
           the client's context, and it lets every message be the same bytes. */
        z_stream z = {0};
        if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("deflateInit2");
        size_t cap = deflateBound(&z, (uLong) size) + 16;
        compressed = malloc(cap);
        z.next_in = payload;
        z.avail_in = (uInt) size;
        z.next_out = compressed;
        z.avail_out = (uInt) cap;
        if (deflate(&z, Z_SYNC_FLUSH) != Z_OK) fail("deflate");
        body_len = cap - z.avail_out;
        if (body_len < 4 || memcmp(compressed + body_len - 4, "\x00\x00\xff\xff", 4) != 0) fail("deflate tail");
        body_len -= 4; /* RFC 7692 7.2.1: drop the 00 00 ff ff of the sync flush */
        body = compressed;
        deflateEnd(&z);
    }
    frame = malloc(body_len + 14);
    size_t h = 0;
    frame[h++] = (unsigned char) (0x80 | (use_deflate ? 0x40 : 0) | (binary ? 0x2 : 0x1));
    if (body_len < 126) {
        frame[h++] = (unsigned char) (0x80 | body_len);
    } else if (body_len < 65536) {
        frame[h++] = 0x80 | 126;
        frame[h++] = (unsigned char) (body_len >> 8);
        frame[h++] = (unsigned char) body_len;
    } else {
        frame[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--) frame[h++] = (unsigned char) ((uint64_t) body_len >> (8 * i));
    }
    memcpy(frame + h, MASK, 4);
    h += 4;
    for (size_t i = 0; i < body_len; i++) frame[h + i] = body[i] ^ MASK[i & 3];
    frame_len = h + body_len;
    free(payload);
    free(compressed);
}

static void build_request(void) {
    request_len = (size_t) snprintf(request, sizeof request,
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: " WS_KEY "\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
            port, use_deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "");
    close_frame[0] = 0x88;
    close_frame[1] = 0x80 | 2;
    memcpy(close_frame + 2, MASK, 4);
    close_frame[6] = 0x03 ^ MASK[0]; /* 1000 = 0x03e8 */
    close_frame[7] = 0xe8 ^ MASK[1];
}

static void conn_open(conn_t *c) {
    c->fd = start_connect();
    c->state = C_CONNECTING;
    c->started = now_ns();
    c->hs_out = request;
    c->hs_out_len = request_len;
    c->head_len = 0;
    c->pending = 0;
    c->frame_off = 0;
    c->sent_head = c->sent_count = 0;
    c->hdr_len = 0;
    c->hdr_need = 2;
    c->payload_left = 0;
    c->in_message = 0;
    c->want_out = 1;
    if (c->fd < 0) {
        c->state = C_DONE;
        errors++;
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl add");
}

static void conn_close(conn_t *c) {
    if (c->fd >= 0) {
        close(c->fd); /* also removes it from the epoll set */
        c->fd = -1;
    }
    c->state = C_DONE;
    if (c->inflater) inflateReset(c->inflater);
}

/* Queue one data message: its send time goes into the FIFO. */
static void queue_message(conn_t *c, uint64_t t) {
    int slot = (c->sent_head + c->sent_count) % window;
    c->sent[slot] = t;
    c->sent_count++;
    c->pending++;
}

/* Writes what is pending; asks for EPOLLOUT only while the socket buffer is full. */
static int flush_out(conn_t *c) {
    while (c->hs_out_len > 0) {
        ssize_t n = write(c->fd, c->hs_out, c->hs_out_len);
        if (n < 0) {
            if (errno == EAGAIN) goto blocked;
            return -1;
        }
        c->hs_out += n;
        c->hs_out_len -= (size_t) n;
    }
    while (c->pending > 0) {
        struct iovec iov[64];
        int k = 0;
        uint64_t p = c->pending;
        iov[k].iov_base = frame + c->frame_off;
        iov[k++].iov_len = frame_len - c->frame_off;
        while (--p > 0 && k < 64) {
            iov[k].iov_base = frame;
            iov[k++].iov_len = frame_len;
        }
        ssize_t n = writev(c->fd, iov, k);
        if (n < 0) {
            if (errno == EAGAIN) goto blocked;
            return -1;
        }
        size_t done = (size_t) n + c->frame_off;
        c->pending -= done / frame_len;
        c->frame_off = done % frame_len;
        if (n == 0) goto blocked;
    }
    if (c->want_out) {
        c->want_out = 0;
        watch(c, EPOLLIN);
    }
    return 0;
blocked:
    if (!c->want_out) {
        c->want_out = 1;
        watch(c, EPOLLIN | EPOLLOUT);
    }
    return 0;
}

static int write_all_small(conn_t *c, const unsigned char *b, size_t len) {
    /* Only for the 8-byte close frame, after all data: the socket buffer has room. */
    ssize_t n = write(c->fd, b, len);
    return n == (ssize_t) len ? 0 : -1;
}

/* ------------------------------------------------------------------ frames from the server */

static void on_message_complete(conn_t *c, uint64_t t);

/* Every echo is checked byte for byte: the message we send is 'a'..'z' repeated, so the byte at
 * offset k of a message must be 'a' + k % 26, and no message may run past the size we sent. */
static void check_content(conn_t *c, const unsigned char *p, size_t n) {
    if (c->msg_bytes + n > (uint64_t) size) {
        c->msg_wrong = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] != (unsigned char) ('a' + (c->msg_bytes + i) % 26)) {
            c->msg_wrong = 1;
            return;
        }
    }
}

static int inflate_chunk(conn_t *c, const unsigned char *p, size_t n) {
    if (!c->inflater) {
        c->inflater = calloc(1, sizeof(z_stream));
        if (inflateInit2(c->inflater, -15) != Z_OK) fail("inflateInit2");
    }
    z_stream *z = c->inflater;
    z->next_in = (unsigned char *) p;
    z->avail_in = (uInt) n;
    while (z->avail_in > 0) {
        z->next_out = zout;
        z->avail_out = sizeof zout;
        int r = inflate(z, Z_SYNC_FLUSH);
        if (r != Z_OK && r != Z_BUF_ERROR) return -1;
        check_content(c, zout, sizeof zout - z->avail_out);
        c->msg_bytes += sizeof zout - z->avail_out;
        if (r == Z_BUF_ERROR && z->avail_out != 0) break;
    }
    return 0;
}

/* Parses whatever arrived; returns -1 when the connection must go. */
static int parse_frames(conn_t *c, const unsigned char *p, size_t n, uint64_t t) {
    while (n > 0) {
        if (c->payload_left == 0 && c->hdr_len < c->hdr_need) {
            /* header bytes: 2, then the extended length and mask key they announce */
            while (n > 0 && c->hdr_len < c->hdr_need) {
                c->hdr[c->hdr_len++] = *p++;
                n--;
                if (c->hdr_len == 2) {
                    int len7 = c->hdr[1] & 0x7f;
                    c->hdr_need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((c->hdr[1] & 0x80) ? 4 : 0);
                }
            }
            if (c->hdr_len < c->hdr_need) return 0;
            if (c->hdr[1] & 0x80) protocol_errors++; /* a server must not mask */
            int len7 = c->hdr[1] & 0x7f;
            uint64_t len = (uint64_t) len7;
            if (len7 == 126) len = ((uint64_t) c->hdr[2] << 8) | c->hdr[3];
            if (len7 == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) len = (len << 8) | c->hdr[2 + i];
            }
            c->fin = c->hdr[0] & 0x80;
            c->opcode = c->hdr[0] & 0x0f;
            if (c->opcode == 1 || c->opcode == 2) {
                c->in_message = 1;
                c->compressed_msg = (c->hdr[0] & 0x40) != 0;
                c->msg_bytes = 0;
                c->msg_opcode = c->opcode;
                c->msg_wrong = 0;
            }
            c->payload_left = len;
            c->hdr_len = 0;
            c->hdr_need = 2;
            if (len > 0) continue;
            /* an empty frame: falls through to "frame done" below */
        } else {
            size_t take = n < c->payload_left ? n : (size_t) c->payload_left;
            if (c->opcode < 8 && c->compressed_msg) {
                if (inflate_chunk(c, p, take) < 0) return -1;
            } else if (c->opcode < 8) {
                check_content(c, p, take);
                c->msg_bytes += take;
            }
            p += take;
            n -= take;
            c->payload_left -= take;
            if (c->payload_left > 0) return 0;
        }
        /* frame done */
        if (c->opcode == 8) {
            if (c->state == C_CLOSE_SENT) {
                c->state = C_CLOSE_RECEIVED; /* now wait for the server's TCP close */
            } else {
                return -1;
            }
        } else if (c->opcode >= 8) {
            /* ping/pong: none expected during a run; ignored */
        } else if (c->fin && c->in_message) {
            if (c->compressed_msg) {
                static const unsigned char tail[4] = {0, 0, 0xff, 0xff};
                if (inflate_chunk(c, tail, 4) < 0) return -1;
            }
            c->in_message = 0;
            /* not our message back: another length, other bytes or the other type */
            if (c->msg_bytes != (uint64_t) size || c->msg_wrong || c->msg_opcode != (binary ? 2 : 1)) protocol_errors++;
            on_message_complete(c, t);
        }
    }
    return 0;
}

/* Reads the 101 response head; leaves any bytes after it to the frame parser. */
static int read_handshake(conn_t *c, const unsigned char *p, size_t n, size_t *used) {
    size_t room = sizeof c->head - 1 - c->head_len;
    size_t take = n < room ? n : room;
    memcpy(c->head + c->head_len, p, take);
    size_t before = c->head_len;
    c->head_len += take;
    c->head[c->head_len] = 0;
    char *end = strstr(c->head, "\r\n\r\n");
    if (!end) {
        if (c->head_len >= sizeof c->head - 1) return -1;
        *used = n;
        return 0;
    }
    size_t head_size = (size_t) (end - c->head) + 4;
    *used = head_size - before;
    if (strncmp(c->head, "HTTP/1.1 101", 12) != 0) return -1;
    if (!strstr(c->head, WS_ACCEPT)) return -1;
    if (use_deflate && !strcasestr(c->head, "permessage-deflate")) fail("the server did not accept permessage-deflate");
    c->state = C_OPEN;
    return 1;
}

/* ------------------------------------------------------------------ echo mode */

static int open_count;

static void on_message_complete(conn_t *c, uint64_t t) {
    if (c->sent_count == 0) {
        protocol_errors++;
        return;
    }
    uint64_t sent = c->sent[c->sent_head];
    c->sent_head = (c->sent_head + 1) % window;
    c->sent_count--;
    if (measuring) {
        hist_add(&hist, t - sent);
        messages++;
        bytes += (uint64_t) size;
    }
    if (running) queue_message(c, t);
}

static void echo_opened(conn_t *c) {
    open_count++;
    uint64_t t = now_ns();
    for (int i = 0; i < window; i++) queue_message(c, t);
}

static void handle_echo_event(conn_t *c, uint32_t events) {
    if (events & (EPOLLERR)) goto broken;
    if (events & EPOLLIN) {
        for (;;) {
            ssize_t n = read(c->fd, rbuf, sizeof rbuf);
            if (n == 0) goto broken;
            if (n < 0) {
                if (errno == EAGAIN) break;
                goto broken;
            }
            uint64_t t = now_ns();
            size_t off = 0;
            if (c->state == C_UPGRADING || c->state == C_CONNECTING) {
                int r = read_handshake(c, rbuf, (size_t) n, &off);
                if (r < 0) goto broken;
                if (r == 1) echo_opened(c);
            }
            if (c->state == C_OPEN && parse_frames(c, rbuf + off, (size_t) n - off, t) < 0) goto broken;
            if ((size_t) n < sizeof rbuf) break;
        }
    }
    if (c->state == C_CONNECTING) c->state = C_UPGRADING;
    if (flush_out(c) < 0) goto broken;
    return;
broken:
    errors++;
    conn_close(c);
}

static void print_cpu(double wall, double self0, double self1, double srv0, double srv1) {
    double other = machine_busy_s() - machine0 - (self1 - self0) - (watch_pid ? srv1 - srv0 : 0);
    printf("\"loadgen_cpu_pct\":%.1f,\"server_cpu_pct\":%.1f,\"other_cpu_pct\":%.1f", 100 * (self1 - self0) / wall,
            watch_pid ? 100 * (srv1 - srv0) / wall : -1.0, other > 0 ? 100 * other / wall : 0.0);
}

static int run_echo(void) {
    build_payload_frame();
    build_request();
    ncs = conns;
    cs = calloc((size_t) ncs, sizeof(conn_t));
    for (int i = 0; i < ncs; i++) {
        cs[i].sent = calloc((size_t) window, sizeof(uint64_t));
        conn_open(&cs[i]);
    }
    struct epoll_event evs[256];
    uint64_t t0 = now_ns();
    uint64_t open_deadline = t0 + 10 * 1000000000ull;
    uint64_t measure_start = 0, measure_end = 0;
    double self0 = 0, srv0 = 0;
    for (;;) {
        int n = epoll_wait(epfd, evs, 256, 50);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) handle_echo_event(evs[i].data.ptr, evs[i].events);
        uint64_t t = now_ns();
        if (!measure_start) {
            if (open_count == ncs) {
                measure_start = t + (uint64_t) (warmup_s * 1e9);
                measure_end = measure_start + (uint64_t) (duration_s * 1e9);
            } else if (t > open_deadline) {
                fprintf(stderr, "loadgen: only %d of %d connections opened\n", open_count, ncs);
                return 1;
            }
        } else if (!measuring && t >= measure_start) {
            measuring = 1;
            self0 = self_cpu_s();
            srv0 = pid_cpu_s(watch_pid);
            machine0 = machine_busy_s();
            measure_start = t;
            measure_end = t + (uint64_t) (duration_s * 1e9);
        } else if (measuring && t >= measure_end) {
            double self1 = self_cpu_s(), srv1 = pid_cpu_s(watch_pid);
            double wall = (t - measure_start) / 1e9;
            printf("{\"mode\":\"echo\",\"conns\":%d,\"size\":%d,\"window\":%d,\"binary\":%s,\"deflate\":%s,"
                   "\"seconds\":%.3f,\"messages\":%llu,\"msgs_per_sec\":%.1f,\"mb_per_sec\":%.3f,"
                   "\"latency_us\":{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f},"
                   "\"errors\":%llu,\"protocol_errors\":%llu,",
                    conns, size, window, binary ? "true" : "false", use_deflate ? "true" : "false", wall,
                    (unsigned long long) messages, messages / wall, bytes / wall / 1e6,
                    hist_pct_us(&hist, 0.50), hist_pct_us(&hist, 0.99), hist_pct_us(&hist, 0.999),
                    hist.max / 1000.0, (unsigned long long) errors, (unsigned long long) protocol_errors);
            print_cpu(wall, self0, self1, srv0, srv1);
            printf("}\n");
            fflush(stdout);
            return errors || protocol_errors ? 1 : 0;
        }
    }
}

/* ------------------------------------------------------------------ handshake mode */

static uint64_t hs_deadline_ns = 2000000000ull; /* a handshake stuck this long counts as failed */

static void hs_finish(conn_t *c, int ok, uint64_t t) {
    if (measuring) {
        if (ok) {
            messages++;
            hist_add(&hist, t - c->started);
        } else {
            errors++;
        }
    }
    conn_close(c);
    if (running) conn_open(c);
}

static void handle_hs_event(conn_t *c, uint32_t events) {
    uint64_t t;
    if (events & EPOLLERR) goto broken;
    if (events & (EPOLLIN | EPOLLHUP)) {
        for (;;) {
            ssize_t n = read(c->fd, rbuf, sizeof rbuf);
            t = now_ns();
            if (n == 0) {
                /* TCP close by the server: the end, if its close frame came first */
                hs_finish(c, c->state == C_CLOSE_RECEIVED, t);
                return;
            }
            if (n < 0) {
                if (errno == EAGAIN) break;
                goto broken;
            }
            size_t off = 0;
            if (c->state == C_UPGRADING || c->state == C_CONNECTING) {
                int r = read_handshake(c, rbuf, (size_t) n, &off);
                if (r < 0) goto broken;
                if (r == 1) {
                    if (write_all_small(c, close_frame, sizeof close_frame) < 0) goto broken;
                    c->state = C_CLOSE_SENT;
                }
            }
            if (c->state >= C_OPEN && off < (size_t) n && parse_frames(c, rbuf + off, (size_t) n - off, t) < 0) goto broken;
            if ((size_t) n < sizeof rbuf) break;
        }
    }
    if (c->state == C_CONNECTING) c->state = C_UPGRADING;
    if (c->fd >= 0 && flush_out(c) < 0) goto broken;
    return;
broken:
    hs_finish(c, 0, now_ns());
}

static int run_handshake(void) {
    build_request();
    ncs = parallel;
    cs = calloc((size_t) ncs, sizeof(conn_t));
    struct epoll_event evs[256];
    uint64_t t0 = now_ns();
    for (int i = 0; i < ncs; i++) conn_open(&cs[i]);
    uint64_t measure_start = t0 + (uint64_t) (warmup_s * 1e9);
    uint64_t measure_end = 0;
    double self0 = 0, srv0 = 0;
    for (;;) {
        int n = epoll_wait(epfd, evs, 256, 20);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) handle_hs_event(evs[i].data.ptr, evs[i].events);
        uint64_t t = now_ns();
        for (int i = 0; i < ncs; i++) {
            if (cs[i].state == C_DONE) conn_open(&cs[i]); /* connect() itself failed */
            else if (t - cs[i].started > hs_deadline_ns) hs_finish(&cs[i], 0, t);
        }
        if (!measuring && t >= measure_start) {
            measuring = 1;
            self0 = self_cpu_s();
            srv0 = pid_cpu_s(watch_pid);
            machine0 = machine_busy_s();
            measure_start = t;
            measure_end = t + (uint64_t) (duration_s * 1e9);
        } else if (measuring && t >= measure_end) {
            double self1 = self_cpu_s(), srv1 = pid_cpu_s(watch_pid);
            double wall = (t - measure_start) / 1e9;
            printf("{\"mode\":\"handshake\",\"parallel\":%d,\"seconds\":%.3f,\"handshakes\":%llu,"
                   "\"handshakes_per_sec\":%.1f,\"latency_us\":{\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f},"
                   "\"errors\":%llu,",
                    parallel, wall, (unsigned long long) messages, messages / wall, hist_pct_us(&hist, 0.5),
                    hist_pct_us(&hist, 0.99), hist.max / 1000.0, (unsigned long long) errors);
            print_cpu(wall, self0, self1, srv0, srv1);
            printf("}\n");
            fflush(stdout);
            return 0;
        }
    }
}

/* ------------------------------------------------------------------ idle mode */

static void handle_idle_event(conn_t *c, uint32_t events) {
    if (events & EPOLLERR) goto broken;
    if (events & EPOLLIN) {
        ssize_t n = read(c->fd, rbuf, sizeof rbuf);
        if (n == 0) goto broken;
        if (n < 0) {
            if (errno == EAGAIN) return;
            goto broken;
        }
        size_t off = 0;
        if (c->state == C_UPGRADING || c->state == C_CONNECTING) {
            int r = read_handshake(c, rbuf, (size_t) n, &off);
            if (r < 0) goto broken;
            if (r == 1) open_count++;
        }
    }
    if (c->state == C_CONNECTING) c->state = C_UPGRADING;
    if (flush_out(c) < 0) goto broken;
    return;
broken:
    errors++;
    conn_close(c);
}

static int run_idle(void) {
    build_request();
    ncs = conns;
    cs = calloc((size_t) ncs, sizeof(conn_t));
    struct epoll_event evs[256];
    int started = 0;
    const int max_pending = 200; /* handshakes in flight: under every server's backlog */
    uint64_t deadline = now_ns() + 60 * 1000000000ull;
    while (open_count + (int) errors < ncs && now_ns() < deadline) {
        while (started < ncs && started - open_count - (int) errors < max_pending) conn_open(&cs[started++]);
        int n = epoll_wait(epfd, evs, 256, 50);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) handle_idle_event(evs[i].data.ptr, evs[i].events);
    }
    printf("OPEN %d FAILED %d\n", open_count, ncs - open_count);
    fflush(stdout);
    /* Hold the connections until told to stop (a line or end of file on stdin). */
    char line[64];
    if (fgets(line, sizeof line, stdin) == NULL) {
        /* end of file: fine */
    }
    return 0;
}

/* ------------------------------------------------------------------ cserver: reference echo */

/* SHA-1 is not needed: the load generator always sends RFC 6455's example key, so the
   reference server answers with the accept value RFC 6455 gives for it. */
#define SIN_CAP (2u << 20)
typedef struct {
    int fd, upgraded;
    unsigned char *in; /* room for one 1 MiB frame and then some */
    size_t in_len;
    unsigned char *out;
    size_t out_len, out_cap;
} sconn_t;

static void s_out(sconn_t *s, const void *b, size_t n) {
    if (s->out_len + n > s->out_cap) {
        s->out_cap = (s->out_len + n) * 2;
        s->out = realloc(s->out, s->out_cap);
    }
    memcpy(s->out + s->out_len, b, n);
    s->out_len += n;
}

static __attribute__((noreturn)) void run_cserver(void) {
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t) port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *) &a, sizeof a) < 0) die("bind");
    if (listen(lfd, 1024) < 0) die("listen");
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
    printf("READY %d\n", port);
    fflush(stdout);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(epfd, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            sconn_t *s = evs[i].data.ptr;
            if (!s) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    sconn_t *ns = calloc(1, sizeof *ns);
                    ns->fd = fd;
                    ns->in = malloc(SIN_CAP);
                    struct epoll_event e2 = {.events = EPOLLIN, .data.ptr = ns};
                    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e2);
                }
                continue;
            }
            ssize_t r = read(s->fd, s->in + s->in_len, SIN_CAP - s->in_len);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                close(s->fd);
                free(s->in);
                free(s->out);
                free(s);
                continue;
            }
            s->in_len += (size_t) r;
            size_t pos = 0;
            if (!s->upgraded) {
                unsigned char *end = memmem(s->in, s->in_len, "\r\n\r\n", 4);
                if (!end) continue;
                pos = (size_t) (end - s->in) + 4;
                static const char resp[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: " WS_ACCEPT "\r\n\r\n";
                s_out(s, resp, sizeof resp - 1);
                s->upgraded = 1;
            }
            int closing = 0;
            for (;;) { /* whole masked frames only; unmask and echo each one */
                size_t avail = s->in_len - pos;
                if (avail < 2) break;
                unsigned char *h = s->in + pos;
                uint64_t len = h[1] & 0x7f;
                size_t hl = 2;
                if (len == 126) { if (avail < 4) break; len = ((uint64_t) h[2] << 8) | h[3]; hl = 4; }
                else if (len == 127) { if (avail < 10) break; len = 0; for (int k = 0; k < 8; k++) len = (len << 8) | h[2 + k]; hl = 10; }
                if (avail < hl + 4 + len) break;
                const unsigned char *m = h + hl;
                unsigned char oh[10];
                size_t ol = 0;
                oh[ol++] = h[0];
                if (len < 126) oh[ol++] = (unsigned char) len;
                else if (len < 65536) { oh[ol++] = 126; oh[ol++] = (unsigned char) (len >> 8); oh[ol++] = (unsigned char) len; }
                else { oh[ol++] = 127; for (int k = 7; k >= 0; k--) oh[ol++] = (unsigned char) (len >> (8 * k)); }
                s_out(s, oh, ol);
                unsigned char *body = h + hl + 4;
                for (uint64_t k = 0; k < len; k++) body[k] ^= m[k & 3];
                s_out(s, body, (size_t) len);
                if ((h[0] & 0x0f) == 8) closing = 1;
                pos += hl + 4 + (size_t) len;
            }
            memmove(s->in, s->in + pos, s->in_len - pos);
            s->in_len -= pos;
            size_t w = 0;
            while (w < s->out_len) { /* blocking-ish: a reference server, kept simple */
                ssize_t k = write(s->fd, s->out + w, s->out_len - w);
                if (k < 0 && errno == EAGAIN) { struct timespec ts = {0, 20000}; nanosleep(&ts, NULL); continue; }
                if (k <= 0) break;
                w += (size_t) k;
            }
            s->out_len = 0;
            if (closing) {
                close(s->fd);
                free(s->in);
                free(s->out);
                free(s);
            }
        }
    }
}

/* ------------------------------------------------------------------ main */

static void usage(void) {
    fprintf(stderr, "usage: loadgen echo|handshake|idle|cserver --port P [--conns N] [--size B] [--window W]\n"
                    "       [--binary] [--deflate] [--parallel N] [--warmup S] [--duration S] [--watch-pid PID]\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    mode = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--binary")) binary = 1;
        else if (!strcmp(a, "--deflate")) use_deflate = 1;
        else if (!v) usage();
        else if (!strcmp(a, "--port")) port = atoi(v), i++;
        else if (!strcmp(a, "--conns")) conns = atoi(v), i++;
        else if (!strcmp(a, "--size")) size = atoi(v), i++;
        else if (!strcmp(a, "--window")) window = atoi(v), i++;
        else if (!strcmp(a, "--parallel")) parallel = atoi(v), i++;
        else if (!strcmp(a, "--warmup")) warmup_s = atof(v), i++;
        else if (!strcmp(a, "--duration")) duration_s = atof(v), i++;
        else if (!strcmp(a, "--watch-pid")) watch_pid = atoi(v), i++;
        else usage();
    }
    if (port <= 0 || conns <= 0 || size < 0 || window <= 0 || parallel <= 0) usage();
    signal(SIGPIPE, SIG_IGN);
    epfd = epoll_create1(0);
    if (epfd < 0) die("epoll_create1");
    if (!strcmp(mode, "echo")) return run_echo();
    if (!strcmp(mode, "handshake")) return run_handshake();
    if (!strcmp(mode, "idle")) return run_idle();
    if (!strcmp(mode, "cserver")) run_cserver();
    usage();
    return 2;
}
