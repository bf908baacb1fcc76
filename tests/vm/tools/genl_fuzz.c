// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz: random and targeted malformed requests to the "ipsec_tun"
 * generic netlink family, for tests/vm/414_genl_fuzz.sh (run as root, as an
 * unprivileged user and as a user namespace's root). Raw netlink sockets,
 * no library: nothing between the bytes we pick and the kernel.
 *
 *   genl_fuzz [--seconds N] [--count N] [--seed N] [--ifname NAME]
 *
 * Each message is one of: a well-formed request of a random command with
 * some attributes mutated (wrong type or length, 0 or huge, out of range,
 * "dev" as IFINDEX 0/-1/huge/random or IFNAME empty/unterminated), random
 * attributes with random payloads and nested garbage, or random bytes after
 * the genetlink header; the netlink and genetlink headers themselves are
 * sometimes mutated too (command, version, reserved, dump flag). Replies
 * are read and tallied by errno. The kernel must survive all of it; the
 * tool fails only if it cannot talk to the family at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <linux/genetlink.h>
#include <linux/ipsec_tun.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX 65536

struct msg {
	uint8_t d[MSG_MAX];
	size_t len;
};

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

/* Appends one attribute; silently stops when the message is full. */
static void put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	size_t total = NLA_HDRLEN + NLA_ALIGN(len);
	struct nlattr *a = (struct nlattr *)(m->d + m->len);

	if (len > UINT16_MAX - NLA_HDRLEN || m->len + total > MSG_MAX)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (data)
		memcpy(a + 1, data, len);
	else
		for (size_t i = 0; i < len; i++)
			((uint8_t *)(a + 1))[i] = (uint8_t)rnd();
	memset((uint8_t *)(a + 1) + len, 0, NLA_ALIGN(len) - len);
	m->len += total;
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put(m, type, &v, sizeof(v));
}

static size_t nest_start(struct msg *m, uint16_t type)
{
	size_t off = m->len;

	put(m, type | NLA_F_NESTED, "", 0);
	return off;
}

static void nest_end(struct msg *m, size_t off)
{
	if (off < m->len)
		((struct nlattr *)(m->d + off))->nla_len = (uint16_t)(m->len - off);
}

static const uint64_t interesting[] = {
	0, 1, 2, 3, 4, 10, 16, 20, 28, 36, 64, 127, 128, 129, 255, 256, 4096, 4097,
	65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0xffffffffffffffffULL,
};

/* A random value for an attribute whose expected type we ignore. */
static void put_any(struct msg *m, uint16_t type, int depth)
{
	uint64_t v = interesting[below(sizeof(interesting) / sizeof(interesting[0]))];
	static const size_t widths[] = { 1, 2, 4, 8 };
	char name[IFNAMSIZ + 4];
	size_t off;

	switch (below(depth < 3 ? 8 : 7)) {
	case 0:
	case 1:
		put(m, type, &v, widths[below(4)]);
		break;
	case 2:
		put(m, type, NULL, 0);
		break;
	case 3:
		put(m, type, NULL, 1 + below(64));
		break;
	case 4:
		put(m, type, NULL, below(4) ? 256 + below(4096) : 60000);
		break;
	case 5:
		memset(name, 'A' + below(26), sizeof(name));
		put(m, type, name, below(2) ? sizeof(name) : 1 + below(IFNAMSIZ));
		break;
	case 6:
		put(m, type, NULL, (size_t)below(8) * 4);
		break;
	default:
		off = nest_start(m, type);
		for (uint32_t i = below(6); i > 0; i--)
			put_any(m, (uint16_t)below(40), depth + 1);
		nest_end(m, off);
	}
}

static void put_dev(struct msg *m, const char *ifname, int ifindex)
{
	char unterminated[IFNAMSIZ];

	switch (below(9)) {
	case 0:
		put_u32(m, IPSEC_TUN_A_IFINDEX, (uint32_t)ifindex);
		break;
	case 1:
		put_u32(m, IPSEC_TUN_A_IFINDEX, 0);
		break;
	case 2:
		put_u32(m, IPSEC_TUN_A_IFINDEX, (uint32_t)-1);
		break;
	case 3:
		put_u32(m, IPSEC_TUN_A_IFINDEX, below(2) ? 0x80000000u : below(64));
		break;
	case 4:
		put(m, IPSEC_TUN_A_IFNAME, ifname, strlen(ifname) + 1);
		break;
	case 5:
		put(m, IPSEC_TUN_A_IFNAME, "", 1);
		break;
	case 6:
		memset(unterminated, 'x', sizeof(unterminated));
		put(m, IPSEC_TUN_A_IFNAME, unterminated, sizeof(unterminated));
		break;
	case 7:
		put_any(m, below(2) ? IPSEC_TUN_A_IFINDEX : IPSEC_TUN_A_IFNAME, 0);
		break;
	default:
		break; /* no dev */
	}
}

/* An SA nest: each known attribute present with the right shape or not. */
static void put_sa(struct msg *m)
{
	static const uint8_t key[36] = { 1, 2, 3, 4 };
	uint8_t addr[16] = { 192, 0, 2, 1 };
	size_t off = nest_start(m, IPSEC_TUN_A_SA);

	for (uint16_t t = 1; t <= IPSEC_TUN_SA_A_MAX + 1; t++) {
		uint32_t pick = below(6);

		if (pick == 0)
			continue;
		if (pick == 1) {
			put_any(m, t, 1);
			continue;
		}
		switch (t) {
		case IPSEC_TUN_SA_A_SPI:
			put_u32(m, t, below(2) ? 0x1000 + below(16) : (uint32_t)rnd());
			break;
		case IPSEC_TUN_SA_A_DIR: {
			uint8_t dir = (uint8_t)below(4);

			put(m, t, &dir, 1);
			break;
		}
		case IPSEC_TUN_SA_A_FAMILY: {
			uint16_t fam = below(2) ? AF_INET : below(2) ? AF_INET6 : (uint16_t)rnd();

			put(m, t, &fam, 2);
			break;
		}
		case IPSEC_TUN_SA_A_SRC:
		case IPSEC_TUN_SA_A_DST:
			put(m, t, addr, below(2) ? 4 : 16);
			break;
		case IPSEC_TUN_SA_A_ENCR_ID:
		case IPSEC_TUN_SA_A_INTEG_ID: {
			static const uint16_t ids[] = { 12, 18, 19, 20, 21, 28, 2, 14, 0, 3, 999 };
			uint16_t id = ids[below(sizeof(ids) / sizeof(ids[0]))];

			put(m, t, &id, 2);
			break;
		}
		case IPSEC_TUN_SA_A_ENC_KEY:
		case IPSEC_TUN_SA_A_AUTH_KEY:
			put(m, t, key, below(37));
			break;
		case IPSEC_TUN_SA_A_SEL: {
			size_t sels = nest_start(m, t);

			for (uint32_t i = below(70); i > 0; i--) {
				size_t one = nest_start(m, (uint16_t)(1 + below(80)));

				for (uint16_t p = 1; p <= IPSEC_TUN_POL_A_MAX; p++)
					if (below(3))
						put_any(m, p, 2);
				nest_end(m, one);
			}
			nest_end(m, sels);
			break;
		}
		default:
			put_any(m, t, 1);
		}
	}
	nest_end(m, off);
}

static void put_policy(struct msg *m, uint16_t type)
{
	size_t off = nest_start(m, type);
	uint8_t addr[16] = { 10, 1, 0, 0 };

	for (uint16_t t = 1; t <= IPSEC_TUN_POL_A_MAX + 1; t++) {
		if (!below(4))
			continue;
		if (below(3) && (t == IPSEC_TUN_POL_A_SRC || t == IPSEC_TUN_POL_A_DST))
			put(m, t, addr, below(2) ? 4 : 16);
		else
			put_any(m, t, 1);
	}
	nest_end(m, off);
}

struct fuzz {
	int fd;
	uint16_t family;
	uint32_t seq;
	const char *ifname;
	int ifindex;
	int udp_fd;
	unsigned long sent, ok, errors[256];
};

/* Every request command of the family (the others are events). */
static const uint8_t request_cmds[] = {
	IPSEC_TUN_CMD_GET_DEV, IPSEC_TUN_CMD_NEW_SA, IPSEC_TUN_CMD_UPD_SA,
	IPSEC_TUN_CMD_DEL_SA, IPSEC_TUN_CMD_GET_SA, IPSEC_TUN_CMD_FLUSH,
	IPSEC_TUN_CMD_NEW_POLICY, IPSEC_TUN_CMD_DEL_POLICY, IPSEC_TUN_CMD_GET_POLICY,
	IPSEC_TUN_CMD_SET_ENCAP, IPSEC_TUN_CMD_ALLOC_SPI, IPSEC_TUN_CMD_SET_DEV,
};

/* ALLOC_SPI's range: at, around and far from the 256 minimum. */
static void put_spi_range(struct msg *m)
{
	static const uint32_t edges[] = { 0, 1, 255, 256, 257, 4096, 0xfffffffe, 0xffffffff };
	uint16_t t = below(2) ? IPSEC_TUN_A_SPI_MIN : IPSEC_TUN_A_SPI_MAX;

	if (below(4))
		put_u32(m, t, below(2) ? edges[below(8)] : 256 + below(8192));
	else
		put_any(m, t, 0);
}

/* SET_DEV's MSS_CLAMP: off, around the 536 minimum, the MTU-only 65535, any. */
static void put_mss_clamp(struct msg *m)
{
	static const uint16_t edges[] = { 0, 1, 535, 536, 1200, 65534, 65535 };
	uint16_t v = edges[below(7)];

	if (below(4))
		put(m, IPSEC_TUN_A_MSS_CLAMP, &v, 2);
	else
		put_any(m, IPSEC_TUN_A_MSS_CLAMP, 0);
}

static void build(struct fuzz *f, struct msg *m)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->d;
	struct genlmsghdr *g = (struct genlmsghdr *)(nlh + 1);
	int32_t fd;

	memset(m->d, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	g->cmd = below(8) ? request_cmds[below(sizeof(request_cmds))] : (uint8_t)below(256);
	g->version = below(16) ? IPSEC_TUN_GENL_VERSION : (uint8_t)rnd();
	g->reserved = below(16) ? 0 : (uint16_t)rnd();
	nlh->nlmsg_type = f->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (below(4) ? 0 : NLM_F_DUMP);
	nlh->nlmsg_seq = ++f->seq;

	switch (below(4)) {
	case 0: /* random bytes after the genetlink header */
		for (uint32_t n = below(512); n > 0; n--)
			m->d[m->len++] = (uint8_t)rnd();
		break;
	case 1: /* random attributes */
		for (uint32_t n = below(12); n > 0; n--)
			put_any(m, (uint16_t)below(IPSEC_TUN_A_MAX + 3), 0);
		break;
	default: /* the command's own attributes, mutated */
		put_dev(m, f->ifname, f->ifindex);
		if (below(2))
			put_sa(m);
		if (below(2))
			put_policy(m, IPSEC_TUN_A_POLICY);
		if (!below(4)) {
			static const int32_t fds[] = { -1, 0, 1, 2, -2, INT_MAX, INT_MIN, 1000 };

			fd = below(3) ? fds[below(8)] : below(2) ? f->fd : f->udp_fd;
			put(m, IPSEC_TUN_A_ENCAP_FD, &fd, 4);
		}
		for (uint32_t n = below(4) ? 0 : 1 + below(2); n > 0; n--)
			put_spi_range(m);
		if (!below(4))
			put_mss_clamp(m);
		if (!below(8))
			put_any(m, (uint16_t)below(IPSEC_TUN_A_MAX + 3), 0);
	}
	nlh->nlmsg_len = (uint32_t)m->len;
	if (!below(64)) /* a length field that lies */
		nlh->nlmsg_len = (uint32_t)below((uint32_t)m->len + 64);
}

/* Reads what came back for seq until its ack/done or 200 ms of silence. */
static void drain(struct fuzz *f, uint32_t seq)
{
	static uint8_t buf[1 << 17];
	struct pollfd p = { .fd = f->fd, .events = POLLIN };

	while (poll(&p, 1, 200) > 0) {
		ssize_t n = recv(f->fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		int len = (int)n;

		if (n <= 0)
			return;
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			int err;

			if (h->nlmsg_seq != seq ||
			    (h->nlmsg_type != NLMSG_ERROR && h->nlmsg_type != NLMSG_DONE))
				continue;
			memcpy(&err, NLMSG_DATA(h), sizeof(err));
			if (err == 0)
				f->ok++;
			else
				f->errors[-err & 255]++;
			return;
		}
	}
}

static int resolve_family(struct fuzz *f)
{
	struct msg m = { .len = NLMSG_HDRLEN + GENL_HDRLEN };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m.d;
	struct genlmsghdr *g = (struct genlmsghdr *)(nlh + 1);
	uint8_t buf[8192];
	ssize_t n;

	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	put(&m, CTRL_ATTR_FAMILY_NAME, IPSEC_TUN_GENL_NAME, sizeof(IPSEC_TUN_GENL_NAME));
	nlh->nlmsg_len = (uint32_t)m.len;
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	if (send(f->fd, m.d, m.len, 0) < 0)
		return -1;
	n = recv(f->fd, buf, sizeof(buf), 0);
	nlh = (struct nlmsghdr *)buf;
	if (n < (ssize_t)NLMSG_HDRLEN || nlh->nlmsg_type == NLMSG_ERROR)
		return -1;
	for (struct nlattr *a = (struct nlattr *)((uint8_t *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	     (uint8_t *)a + NLA_HDRLEN <= buf + n && a->nla_len >= NLA_HDRLEN;
	     a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			memcpy(&f->family, a + 1, sizeof(f->family));
	return f->family ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct fuzz f = { .ifname = "ipsec0" };
	unsigned long count = 20000, seconds = 20;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timespec start, now;
	static struct msg m;
	int one = 1;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seconds"))
			seconds = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--count"))
			count = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			rng_state = strtoull(argv[i + 1], NULL, 0) | 1;
		else if (!strcmp(argv[i], "--ifname"))
			f.ifname = argv[i + 1];
		else {
			fprintf(stderr, "usage: genl_fuzz [--seconds N] [--count N] [--seed N] [--ifname NAME]\n");
			return 2;
		}
	}
	f.ifindex = 0;
	f.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	f.udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (f.fd < 0 || f.udp_fd < 0 || bind(f.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("genl_fuzz: socket");
		return 1;
	}
	setsockopt(f.fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (resolve_family(&f)) {
		fprintf(stderr, "genl_fuzz: family %s not found\n", IPSEC_TUN_GENL_NAME);
		return 1;
	}
	{
		char path[64];
		FILE *fp;

		snprintf(path, sizeof(path), "/sys/class/net/%.16s/ifindex", f.ifname);
		fp = fopen(path, "r");
		if (fp) {
			if (fscanf(fp, "%d", &f.ifindex) != 1)
				f.ifindex = 0;
			fclose(fp);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (f.sent = 0; f.sent < count; f.sent++) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((unsigned long)(now.tv_sec - start.tv_sec) >= seconds)
			break;
		build(&f, &m);
		if (send(f.fd, m.d, m.len, 0) < 0)
			f.errors[errno & 255]++;
		else
			drain(&f, f.seq);
	}
	printf("genl_fuzz: %lu messages, %lu accepted, refused:", f.sent, f.ok);
	for (int e = 1; e < 256; e++)
		if (f.errors[e])
			printf(" %s=%lu", strerrorname_np(e) ?: "?", f.errors[e]);
	printf("\n");
	return 0;
}
