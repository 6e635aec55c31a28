/*
 * encode_day: drives the Albatross line controller through its C ABI for one day.
 *
 * Plays 8 MicroCATs on the inductive line (6 with oxygen) and a modem that accepts every
 * AT*SENDIM ("OK") and reports DELIVEREDIM 5 s later. Writes every byte the controller sends
 * to the modem into argv[1], and the samples it fed in (as integers in the frame's units:
 * "time slot T[1e-4 C] C[1e-5 S/m] P[1e-3 dbar] O2[1e-3 ml/l or -1]") into argv[2].
 * The Rust test firmware-shim/tests/c_abi.rs decodes the first and compares with the second.
 */
#include "albatross_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1700006400u /* 2023-11-15 00:00:00 UTC */
#define DAY 86400u
#define N_CATS 8

typedef struct {
    int slot, im_id, odo;
    unsigned serial;
    long t, c, p, o; /* held sample, frame units */
} Cat;

static Cat cats[N_CATS];
static char pending_line[256];
static size_t pending_line_len;
static int modem_answer_due; /* 0 = none */
static unsigned modem_answer_at;

static void check(int rc, const char *what) {
    if (rc < 0) {
        fprintf(stderr, "%s failed: %d\n", what, rc);
        exit(1);
    }
}

static void fixed(char *out, size_t cap, long v, int decimals) {
    long scale = 1;
    for (int i = 0; i < decimals; i++) scale *= 10;
    snprintf(out, cap, "%s%ld.%0*ld", v < 0 ? "-" : "", labs(v) / scale, decimals, labs(v) % scale);
}

static void civil(unsigned t, int *y, int *mo, int *d, int *h, int *mi, int *s) {
    long days = (long)(t / 86400u), secs = (long)(t % 86400u);
    /* Howard Hinnant's civil_from_days */
    long z = days + 719468, era = z / 146097, doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*mo <= 2));
    *h = (int)(secs / 3600);
    *mi = (int)(secs % 3600 / 60);
    *s = (int)(secs % 60);
}

static void on_line_output(const unsigned char *b, size_t n, unsigned now, FILE *truth) {
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (n == 7 && memcmp(b, "GData\r\n", 7) == 0) {
        for (int i = 0; i < N_CATS; i++) {
            Cat *c = &cats[i];
            long k = (long)((now / 60u) % 977u) + c->im_id * 17;
            c->t = 131000 + 5 * k - 2000 * i;
            c->c = 401000 + 9 * k;
            c->p = 250000 + 150000L * c->slot + 11 * k;
            c->o = c->odo ? 4500 + k : -1;
            fprintf(truth, "%u %d %ld %ld %ld %ld\n", now, c->slot, c->t, c->c, c->p, c->o);
        }
        return;
    }
    int id;
    if (n == 9 && sscanf((const char *)b, "!%2dData", &id) == 1) {
        for (int i = 0; i < N_CATS; i++) {
            Cat *c = &cats[i];
            if (c->im_id != id) continue;
            char t[32], cond[32], p[32], o[40] = "";
            fixed(t, sizeof t, c->t, 4);
            fixed(cond, sizeof cond, c->c, 5);
            fixed(p, sizeof p, c->p, 3);
            if (c->odo) {
                char ov[32];
                fixed(ov, sizeof ov, c->o, 3);
                snprintf(o, sizeof o, ", %s", ov);
            }
            int y, mo, d, h, mi, s;
            civil(now, &y, &mo, &d, &h, &mi, &s);
            int len = snprintf(pending_line, sizeof pending_line,
                               "%02d, %05u, %s, %s, %s%s, %02d %s %04d, %02d:%02d:%02d\r\n", c->im_id,
                               c->serial % 100000u, t, cond, p, o, d, months[mo - 1], y, h, mi, s);
            pending_line_len = (size_t)len;
        }
        return;
    }
    fprintf(stderr, "unexpected line output\n");
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEM_OUT SAMPLES_OUT\n", argv[0]);
        return 2;
    }
    FILE *modem = fopen(argv[1], "wb"), *truth = fopen(argv[2], "w");
    if (!modem || !truth) {
        perror("fopen");
        return 1;
    }

    AlbatrossConfig cfg;
    check(albatross_config_default(&cfg), "config_default");
    cfg.gateway_address = 1;
    cfg.instrument_count = N_CATS;
    for (int i = 0; i < N_CATS; i++) {
        cats[i].slot = i;
        cats[i].im_id = 1 + 2 * i;
        cats[i].odo = i < 6;
        cats[i].serial = 3712000u + (unsigned)i;
        cfg.instruments[i].slot = (uint8_t)i;
        cfg.instruments[i].im_id = (uint8_t)cats[i].im_id;
        cfg.instruments[i].kind = cats[i].odo ? 2 : 1;
        cfg.instruments[i].serial = cats[i].serial;
        cfg.instruments[i].nominal_depth_m = (uint16_t)(500 + 250 * i);
    }

    size_t align = albatross_ctl_align(), size = albatross_ctl_size();
    size_t rounded = (size + align - 1) / align * align;
    AlbatrossCtl *ctl = aligned_alloc(align, rounded);
    if (!ctl) return 1;
    check(albatross_ctl_init(ctl, rounded, &cfg, T0), "init");
    check(albatross_ctl_set_battery(ctl, 12400), "set_battery");

    unsigned now = T0;
    unsigned char out[ALBATROSS_MAX_OUTPUT];
    for (;;) {
        /* Write out everything the controller has, and play the line and the modem. */
        for (;;) {
            uint8_t kind;
            size_t len;
            int rc = albatross_ctl_poll_output(ctl, &kind, out, sizeof out, &len);
            check(rc, "poll_output");
            if (rc == ALBATROSS_NONE) break;
            if (kind == ALBATROSS_OUTPUT_LINE) {
                on_line_output(out, len, now, truth);
            } else {
                fwrite(out, 1, len, modem);
                modem_answer_due = 1;
                modem_answer_at = now + 5;
                /* The modem takes the command at once. */
                check(albatross_ctl_modem_bytes(ctl, (const uint8_t *)"OK\r\n", 4, now), "modem_bytes");
            }
        }
        if (pending_line_len) { /* the instrument's reply, in two pieces */
            size_t half = pending_line_len / 2, n = pending_line_len;
            pending_line_len = 0;
            check(albatross_ctl_line_bytes(ctl, (const uint8_t *)pending_line, half, now), "line_bytes");
            check(albatross_ctl_line_bytes(ctl, (const uint8_t *)pending_line + half, n - half, now),
                  "line_bytes");
            continue;
        }
        uint32_t wake;
        check(albatross_ctl_next_wakeup(ctl, &wake), "next_wakeup");
        if (modem_answer_due && modem_answer_at <= wake) {
            now = modem_answer_at > now ? modem_answer_at : now;
            if (now > T0 + DAY - 1) break;
            modem_answer_due = 0;
            const char *d = "DELIVEREDIM,1\r\n";
            check(albatross_ctl_modem_bytes(ctl, (const uint8_t *)d, strlen(d), now), "modem_bytes");
        } else {
            now = wake > now ? wake : now;
            if (now > T0 + DAY - 1) break;
            check(albatross_ctl_time(ctl, now), "time");
        }
    }

    AlbatrossCounters c;
    check(albatross_ctl_counters(ctl, &c), "counters");
    printf("polls=%u replies=%u instrument_errors=%u frames_sent=%u delivered=%u\n", c.polls,
           c.replies, c.instrument_errors, c.frames_sent, c.frames_delivered);
    free(ctl);
    fclose(modem);
    fclose(truth);
    return 0;
}
