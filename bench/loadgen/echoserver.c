/*
 * echoserver: the fixed WebSocket peer of bench/bench-clients.
 *
 * One thread, one epoll set, non-blocking sockets. It accepts RFC 6455 upgrades on
 * 127.0.0.1:PORT (no extensions, no subprotocols: every client talks plain frames to it),
 * unmasks each frame and, in echo mode, sends it straight back unmasked with the same opcode
 * and FIN bit (a fragmented message is echoed fragment by fragment). In sink mode (--sink) data
 * frames are read and dropped. Pings get pongs; a close frame gets a close frame with the same
 * status back, after which the server closes the TCP connection (RFC 6455 5.5.1: the server
 * closes first).
 *
 * It exists so that every client is measured against the same peer, and one that costs little:
 * reading, unmasking and writing a few bytes per frame in C, with large reads and writes.
 * SHA-1 and base64 for the handshake are implemented below because OpenSSL's headers may be
 * missing on the benchmark machine.
 *
 *   gcc -O2 -o echoserver echoserver.c
 *   ./echoserver [--port 19200] [--host 127.0.0.1] [--sink] [--quiet]
 *
 * It prints "LISTENING port=N" on stdout once bound, and on SIGTERM/SIGINT a summary line
 * (connections, frames, bytes) on stderr unless --quiet.
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
#include <sys/socket.h>
#include <unistd.h>

/* ------------------------------------------------------------------ SHA-1 (FIPS 180-4) */

typedef struct {
    uint32_t h[5];
    uint64_t length;          /* bytes hashed so far */
    uint8_t block[64];
    size_t used;              /* bytes in block */
} sha1_ctx;

static uint32_t rol32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(sha1_ctx *c, const uint8_t *p) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    }
    for (int i = 16; i < 80; i++) w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20)      { f = (b & cc) | (~b & d);           k = 0x5A827999; }
        else if (i < 40) { f = b ^ cc ^ d;                    k = 0x6ED9EBA1; }
        else if (i < 60) { f = (b & cc) | (b & d) | (cc & d); k = 0x8F1BBCDC; }
        else             { f = b ^ cc ^ d;                    k = 0xCA62C1D6; }
        uint32_t t = rol32(a, 5) + f + e + k + w[i];
        e = d; d = cc; cc = rol32(b, 30); b = a; a = t;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d; c->h[4] += e;
}

static void sha1_init(sha1_ctx *c) {
    static const uint32_t init[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    memcpy(c->h, init, sizeof init);
    c->length = 0;
    c->used = 0;
}

static void sha1_update(sha1_ctx *c, const void *data, size_t n) {
    const uint8_t *p = data;
    c->length += n;
    while (n > 0) {
        size_t take = 64 - c->used < n ? 64 - c->used : n;
        memcpy(c->block + c->used, p, take);
        c->used += take; p += take; n -= take;
        if (c->used == 64) { sha1_block(c, c->block); c->used = 0; }
    }
}

static void sha1_final(sha1_ctx *c, uint8_t out[20]) {
    uint64_t bits = c->length * 8;
    uint8_t pad = 0x80;
    sha1_update(c, &pad, 1);
    pad = 0;
    while (c->used != 56) sha1_update(c, &pad, 1);
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha1_update(c, len, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = c->h[i] >> 24; out[4 * i + 1] = c->h[i] >> 16;
        out[4 * i + 2] = c->h[i] >> 8; out[4 * i + 3] = c->h[i];
    }
}

/* base64 (RFC 4648) of n bytes into out, NUL-terminated; out needs 4*ceil(n/3)+1 bytes. */
static void base64(const uint8_t *in, size_t n, char *out) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    out[o] = 0;
}

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 4.2.2). */
static void accept_key(const char *key, size_t key_len, char out[29]) {
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    sha1_ctx c;
    uint8_t digest[20];
    sha1_init(&c);
    sha1_update(&c, key, key_len);
    sha1_update(&c, guid, sizeof guid - 1);
    sha1_final(&c, digest);
    base64(digest, 20, out);
}

/* ------------------------------------------------------------------ buffers */

/* A byte queue: data lives in [start, end) of buf. */
typedef struct {
    uint8_t *buf;
    size_t cap, start, end;
} bytes;

static size_t bytes_len(const bytes *b) { return b->end - b->start; }

/* Makes room for n more bytes at the end (compacting first, growing only if needed). */
static int bytes_reserve(bytes *b, size_t n) {
    if (b->start > 0 && b->cap - b->end < n) {
        memmove(b->buf, b->buf + b->start, b->end - b->start);
        b->end -= b->start;
        b->start = 0;
    }
    if (b->cap - b->end >= n) return 0;
    size_t cap = b->cap ? b->cap : 65536;
    while (cap - b->end < n) cap *= 2;
    uint8_t *p = realloc(b->buf, cap);
    if (!p) return -1;
    b->buf = p;
    b->cap = cap;
    return 0;
}

static void bytes_consume(bytes *b, size_t n) {
    b->start += n;
    if (b->start == b->end) b->start = b->end = 0;
}

/* ------------------------------------------------------------------ connections */

enum { READ_CHUNK = 256 * 1024 };
/* Above this many unsent echo bytes the server stops reading from that client, so a client that
 * does not read its echoes is slowed down by TCP instead of growing this process's memory. */
enum { OUT_HIGH_WATER = 4 * 1024 * 1024 };
enum { MAX_FRAME = 64 * 1024 * 1024 };

typedef struct {
    int fd;
    int upgraded;     /* handshake done */
    int closing;      /* close frame queued: close the socket once out is flushed */
    int want_out;     /* EPOLLOUT registered */
    int reading;      /* EPOLLIN registered */
    bytes in, out;
} conn;

static int sink_mode = 0, quiet = 0;
static volatile sig_atomic_t stop = 0;
static unsigned long long stat_conns = 0, stat_frames = 0, stat_bytes_in = 0;

static void on_signal(int sig) { (void)sig; stop = 1; }

static void update_events(int ep, conn *c) {
    int want_in = !c->closing && bytes_len(&c->out) < OUT_HIGH_WATER;
    int want_out = bytes_len(&c->out) > 0;
    if (want_in == c->reading && want_out == c->want_out) return;
    struct epoll_event ev = {.events = (want_in ? EPOLLIN : 0) | (want_out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->reading = want_in;
    c->want_out = want_out;
}

static void drop(int ep, conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->in.buf);
    free(c->out.buf);
    free(c);
}

/* Writes as much of out as the socket takes. Returns -1 when the connection is gone. */
static int flush_out(conn *c) {
    while (bytes_len(&c->out) > 0) {
        ssize_t n = write(c->fd, c->out.buf + c->out.start, bytes_len(&c->out));
        if (n > 0) { bytes_consume(&c->out, (size_t)n); continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        return -1;
    }
    return 0;
}

/* Case-insensitive search for header `name` in the request head; returns its trimmed value. */
static const char *find_header(const char *head, const char *name, size_t *len) {
    size_t nlen = strlen(name);
    const char *line = strstr(head, "\r\n");
    while (line && line[2] != '\r') {
        line += 2;
        if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
            const char *v = line + nlen + 1;
            while (*v == ' ' || *v == '\t') v++;
            const char *e = strstr(v, "\r\n");
            while (e > v && (e[-1] == ' ' || e[-1] == '\t')) e--;
            *len = (size_t)(e - v);
            return v;
        }
        line = strstr(line, "\r\n");
    }
    return NULL;
}

/* Handles the HTTP upgrade once the request head is complete. Returns -1 to drop the client. */
static int handshake(conn *c) {
    char *data = (char *)c->in.buf + c->in.start;
    size_t avail = bytes_len(&c->in);
    char *end = memmem(data, avail, "\r\n\r\n", 4);
    if (!end) return avail > 16384 ? -1 : 0;
    size_t head_len = (size_t)(end - data) + 4;
    char saved = data[head_len - 1];
    data[head_len - 1] = 0;   /* make the head a C string for the header search */
    size_t key_len = 0;
    const char *key = find_header(data, "Sec-WebSocket-Key", &key_len);
    data[head_len - 1] = saved;
    if (!key || key_len == 0 || key_len > 64) {
        static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (bytes_reserve(&c->out, sizeof bad) < 0) return -1;
        memcpy(c->out.buf + c->out.end, bad, sizeof bad - 1);
        c->out.end += sizeof bad - 1;
        c->closing = 1;
        bytes_consume(&c->in, bytes_len(&c->in));
        return 0;
    }
    char accept[29];
    accept_key(key, key_len, accept);
    char response[256];
    int n = snprintf(response, sizeof response,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    if (bytes_reserve(&c->out, (size_t)n) < 0) return -1;
    memcpy(c->out.buf + c->out.end, response, (size_t)n);
    c->out.end += (size_t)n;
    bytes_consume(&c->in, head_len);
    c->upgraded = 1;
    return 0;
}

/* Appends an unmasked frame header for a payload of len bytes. */
static size_t frame_header(uint8_t *h, uint8_t first_byte, uint64_t len) {
    h[0] = first_byte;
    if (len < 126) { h[1] = (uint8_t)len; return 2; }
    if (len <= 0xFFFF) { h[1] = 126; h[2] = len >> 8; h[3] = (uint8_t)len; return 4; }
    h[1] = 127;
    for (int i = 0; i < 8; i++) h[2 + i] = (uint8_t)(len >> (56 - 8 * i));
    return 10;
}

/* Unmasks len bytes at p with key, writing to dst (which may equal p). */
static void unmask(uint8_t *dst, const uint8_t *p, uint64_t len, const uint8_t key[4]) {
    uint64_t i = 0;
    /* 8 bytes at a time: the frame cost must stay far below the clients' */
    uint64_t k8;
    uint32_t k4;
    memcpy(&k4, key, 4);
    k8 = (uint64_t)k4 << 32 | k4;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        v ^= k8;
        memcpy(dst + i, &v, 8);
    }
    for (; i < len; i++) dst[i] = p[i] ^ key[i & 3];
}

/* Processes every complete frame in c->in. Returns -1 to drop the client (protocol error). */
static int process_frames(conn *c) {
    while (!c->closing) {
        uint8_t *p = c->in.buf + c->in.start;
        size_t avail = bytes_len(&c->in);
        if (avail < 2) return 0;
        uint8_t b0 = p[0], b1 = p[1];
        if (!(b1 & 0x80)) return -1;                /* clients must mask */
        uint64_t len = b1 & 0x7F;
        size_t pos = 2;
        if (len == 126) {
            if (avail < 4) return 0;
            len = (uint64_t)p[2] << 8 | p[3];
            pos = 4;
        } else if (len == 127) {
            if (avail < 10) return 0;
            len = 0;
            for (int i = 0; i < 8; i++) len = len << 8 | p[2 + i];
            pos = 10;
        }
        if (len > MAX_FRAME) return -1;
        if (avail < pos + 4 + len) {
            /* incomplete: make sure the whole frame will fit, then wait for more */
            return bytes_reserve(&c->in, pos + 4 + len - avail);
        }
        const uint8_t *key = p + pos;
        uint8_t *payload = p + pos + 4;
        int opcode = b0 & 0x0F;
        stat_frames++;
        if (opcode == 0x8) {                        /* close: answer with the same status */
            uint64_t reply = len >= 2 ? 2 : 0;
            uint8_t h[10];
            unmask(payload, payload, reply, key);
            size_t hl = frame_header(h, 0x88, reply);
            if (bytes_reserve(&c->out, hl + reply) < 0) return -1;
            memcpy(c->out.buf + c->out.end, h, hl);
            memcpy(c->out.buf + c->out.end + hl, payload, reply);
            c->out.end += hl + reply;
            c->closing = 1;
        } else if (opcode == 0x9 || !sink_mode || opcode == 0xA) {
            if (opcode == 0xA) { bytes_consume(&c->in, pos + 4 + len); continue; }  /* pong: ignore */
            uint8_t h[10];
            size_t hl = frame_header(h, opcode == 0x9 ? 0x8A : b0, len);
            if (bytes_reserve(&c->out, hl + len) < 0) return -1;
            /* reserve may have moved nothing in c->in; p, key and payload are still valid */
            memcpy(c->out.buf + c->out.end, h, hl);
            unmask(c->out.buf + c->out.end + hl, payload, len, key);
            c->out.end += hl + len;
        }
        bytes_consume(&c->in, pos + 4 + len);
    }
    return 0;
}

/* Reads what is available; returns -1 when the connection is finished. */
static int on_readable(conn *c) {
    for (;;) {
        if (bytes_reserve(&c->in, READ_CHUNK) < 0) return -1;
        ssize_t n = read(c->fd, c->in.buf + c->in.end, c->in.cap - c->in.end);
        if (n == 0) return -1;
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
            return -1;
        }
        c->in.end += (size_t)n;
        stat_bytes_in += (unsigned long long)n;
        if (!c->upgraded && handshake(c) < 0) return -1;
        if (c->upgraded && process_frames(c) < 0) return -1;
        if (c->closing || bytes_len(&c->out) >= OUT_HIGH_WATER) return 0;
        /* a short read means the socket is drained: skip the read that would say EAGAIN */
        if ((size_t)n < READ_CHUNK / 2) return 0;
    }
}

int main(int argc, char **argv) {
    int port = 19200;
    const char *host = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--host") && i + 1 < argc) host = argv[++i];
        else if (!strcmp(argv[i], "--sink")) sink_mode = 1;
        else if (!strcmp(argv[i], "--quiet")) quiet = 1;
        else {
            fprintf(stderr, "usage: %s [--port N] [--host ADDR] [--sink] [--quiet]\n", argv[0]);
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { fprintf(stderr, "bad host %s\n", host); return 2; }
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0) {
        perror("echoserver: bind/listen");
        return 1;
    }
    socklen_t alen = sizeof addr;
    getsockname(lfd, (struct sockaddr *)&addr, &alen);
    printf("LISTENING port=%d mode=%s\n", ntohs(addr.sin_port), sink_mode ? "sink" : "echo");
    fflush(stdout);

    int ep = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
    struct epoll_event events[256];
    while (!stop) {
        int n = epoll_wait(ep, events, 256, 1000);
        if (n < 0 && errno != EINTR) { perror("epoll_wait"); return 1; }
        for (int i = 0; i < n; i++) {
            conn *c = events[i].data.ptr;
            if (c == NULL) {                        /* listening socket: accept all pending */
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conn *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    nc->reading = 1;
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                    stat_conns++;
                }
                continue;
            }
            uint32_t e = events[i].events;
            int gone = 0;
            if (e & (EPOLLIN | EPOLLHUP | EPOLLERR)) gone = on_readable(c) < 0;
            if (!gone) gone = flush_out(c) < 0;
            if (!gone && c->closing && bytes_len(&c->out) == 0) gone = 1;   /* close reply sent */
            if (gone) { drop(ep, c); continue; }
            update_events(ep, c);
        }
    }
    if (!quiet) {
        fprintf(stderr, "echoserver: %llu connections, %llu frames, %llu bytes received\n",
                stat_conns, stat_frames, stat_bytes_in);
    }
    return 0;
}
