/* wisp-sim: the experiments of docs/sim.md on the simulated network of
 * simnet.c, and the command line. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "crypto/fec.h"
#include "tests/sim/simnet.h"

/* ---- experiments ---- */

struct opts {
	uint64_t seed;
	uint32_t nodes, start, max_nodes, every, steps, probe_every, count, degree, swaps, warm, window, files, file_blocks;
	uint32_t peers, reset_ppm;
	int per, swap_only, edges;
	const char *out;
	double fractions[16];
	int nfractions, fractions_given;
};

#define COLS "q1,median,q3,success,all_q1,all_median,all_q3,all_success,stored"

/* measure: a round of probes for recent documents and one for any stored
 * document; |csv| gets both, |line| (after its own fields) too. */
static void
measure(const struct opts *o, FILE *csv, const char *csv_head, const char *line)
{
	struct probe_result r = probes((int)o->count, 1), a = probes((int)o->count, 0);
	double st = stored_share();

	fprintf(csv, "%s,%.1f,%.1f,%.1f,%.2f,%.1f,%.1f,%.1f,%.2f,%.1f\n", csv_head, r.q1, r.median, r.q3, r.success,
	    a.q1, a.median, a.q3, a.success, st);
	fflush(csv);
	printf("%s median=%.1f q1=%.1f q3=%.1f success=%.1f%% all_median=%.1f all_success=%.1f%% stored=%.0f%%\n",
	    line, r.median, r.q1, r.q3, r.success, a.median, a.success, st);
	fflush(stdout);
}

static FILE *
csv_open(const struct opts *o, const char *name, const char *header)
{
	char path[4096];
	FILE *f;

	if (mkdir(o->out, 0755) != 0 && errno != EEXIST)
		die("cannot create the output folder");
	snprintf(path, sizeof(path), "%s/%s", o->out, name);
	if (!(f = fopen(path, "w")))
		die("cannot write a CSV file");
	fprintf(f, "%s\n", header);
	return f;
}


static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void
cost_line(const char *name, double t0)
{
	double dt = now_s() - t0;

	printf("sim %s cost nodes=%u requests=%" PRIu64 " messages=%" PRIu64 " seconds=%.1f us_per_request=%.1f "
	    "peak_rss_mib=%.0f bytes_per_node=%.0f\n", name, S.n, S.requests, S.messages, dt,
	    S.requests ? dt * 1e6 / (double)S.requests : 0.0, peak_rss_kib() / 1024.0,
	    S.n ? peak_rss_kib() * 1024.0 / S.n : 0.0);
}

static void
e1(const struct opts *o)
{
	FILE *f = csv_open(o, "e1.csv", "step," COLS);
	double t0 = now_s();
	uint32_t st;

	reset(o->seed);
	ring(o->nodes);
	for (st = 1; st <= o->steps; st++) {
		step(o->per);
		if (st % o->probe_every == 0) {
			char head[32], line[96];
			snprintf(head, sizeof(head), "%u", st);
			snprintf(line, sizeof(line), "sim E1 nodes=%u step=%u", S.n, st);
			measure(o, f, head, line);
		}
	}
	fclose(f);
	cost_line("E1", t0);
}

/* next_size: the 1-2-5 series: 50, 100, 200, 500, 1000, … */
static uint32_t
next_size(uint32_t n)
{
	uint32_t p = 1;

	while (p <= n / 10)
		p *= 10;
	return n / p < 2 ? 2 * p : n / p < 5 ? 5 * p : 10 * p;
}

/* grow: from a ring of |start| nodes, one newcomer announced every
 * |every| steps until there are |target|; |at| is called at each size of
 * the 1-2-5 series (and at the end). */
static void
grow(const struct opts *o, uint32_t target, void (*at)(const struct opts *, FILE *), FILE *f)
{
	uint64_t st = 0;
	uint32_t next = 50;

	ring(o->start);
	while (S.n < target) {
		step(o->per);
		if (++st % o->every == 0)
			announce();
		if (at && (S.n >= next || S.n == target) && S.ndocs) {
			at(o, f);
			while (next <= S.n)
				next = next_size(next);
		}
	}
}

static void
e2_at(const struct opts *o, FILE *f)
{
	char head[32], line[96];

	snprintf(head, sizeof(head), "%u", S.n);
	snprintf(line, sizeof(line), "sim E2 nodes=%u", S.n);
	measure(o, f, head, line);
}

static void
e2(const struct opts *o)
{
	FILE *f = csv_open(o, "e2.csv", "nodes," COLS);
	double t0 = now_s();

	reset(o->seed);
	grow(o, o->max_nodes, e2_at, f);
	fclose(f);
	cost_line("E2", t0);
}

static void
e3(const struct opts *o)
{
	FILE *f = csv_open(o, "e3.csv", "failed," COLS);
	double t0 = now_s();
	int k;

	for (k = 0; k < o->nfractions; k++) {
		uint32_t i, kill;
		char head[32], line[96];
		reset(o->seed); /* the same network each time, then a different loss */
		grow(o, o->nodes, NULL, NULL);
		for (i = 0; i < o->warm; i++)
			step(o->per);
		kill = (uint32_t)(o->fractions[k] * S.n + 0.5);
		for (i = 0; i < kill;) {
			uint32_t v = rnd_below(S.n);
			if (S.nodes[v].alive) {
				uint8_t j;
				S.nodes[v].alive = 0; /* what it held is gone with it */
				for (j = 0; j < S.nodes[v].nstore; j++)
					S.holders[S.nodes[v].store[j]]--;
				i++;
			}
		}
		snprintf(head, sizeof(head), "%.2f", o->fractions[k]);
		snprintf(line, sizeof(line), "sim E3 nodes=%u failed=%.0f%%", S.n, 100 * o->fractions[k]);
		measure(o, f, head, line);
	}
	fclose(f);
	cost_line("E3", t0);
}

/* edges_out: the graph the dark runs share (the same seed draws it). */
static int
edges_out(const struct opts *o)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/dark-edges.txt", o->out);
	return dark_edges(path);
}

static void
dark(const struct opts *o)
{
	static const unsigned modes[] = { 0, DARK_FOAF, DARK_SWAP, DARK_SWAP | DARK_FOAF };
	FILE *f = csv_open(o, "dark.csv", "swapping,foaf,swaps_accepted," COLS);
	double t0 = now_s();
	size_t mi;
	int wrote = 0; /* the modes share one graph: written once */

	for (mi = 0; mi < sizeof(modes) / sizeof(modes[0]); mi++) {
		unsigned md = modes[mi];
		if (o->swap_only && md != (DARK_SWAP | DARK_FOAF))
			continue;
		uint64_t accepted = 0, i;
		char head[48], line[200];
		double links;
		reset(o->seed);
		S.model = DARK;
		darknet(o->nodes, o->degree, md);
		if (o->edges && !wrote++ && edges_out(o) != 0)
			die("cannot write dark-edges.txt");
		links = dark_links();
		if (md & DARK_SWAP)
			for (i = 0; i < (uint64_t)o->swaps * o->nodes; i++)
				accepted += (uint64_t)swap_once();
		for (i = 0; i < o->warm; i++)
			step(o->per);
		snprintf(head, sizeof(head), "%d,%d,%" PRIu64, !!(md & DARK_SWAP), !!(md & DARK_FOAF), accepted);
		snprintf(line, sizeof(line), "sim DARK nodes=%u degree=%u swapping=%s foaf=%s swaps=%" PRIu64
		    " swap_messages=%" PRIu64 " links_before=%.1f links=%.1f", S.n, o->degree, md & DARK_SWAP ? "on" : "off",
		    md & DARK_FOAF ? "on" : "off", accepted, S.swap_messages, links, dark_links());
		measure(o, f, head, line);
	}
	fclose(f);
	cost_line("DARK", t0);
}

/* dark_live: does a darknet that holds data keep finding it while it
 * starts to swap? Friends of friends from the start, --warm steps of
 * workload without swapping, then DARK_ROUNDS rounds of --swaps /
 * DARK_ROUNDS attempts per node, each followed by 1000 steps of workload
 * and a round of probes (recent and any stored document). Stores and
 * routing tables stay where they are when a node moves. */
enum { DARK_ROUNDS = 20, DARK_ROUND_STEPS = 1000 };

static void
dark_live(const struct opts *o)
{
	FILE *f = csv_open(o, "dark-live.csv", "round,attempts_per_node,swaps_accepted," COLS);
	double t0 = now_s();
	uint64_t accepted = 0, i;
	unsigned r;

	reset(o->seed);
	S.model = DARK;
	darknet(o->nodes, o->degree, DARK_SWAP | DARK_FOAF);
	for (i = 0; i < o->warm; i++)
		step(o->per);
	for (r = 0; r <= DARK_ROUNDS; r++) {
		char head[64], line[160];
		uint64_t per = (uint64_t)o->swaps / DARK_ROUNDS;
		if (r > 0) {
			for (i = 0; i < per * o->nodes; i++)
				accepted += (uint64_t)swap_once();
			for (i = 0; i < DARK_ROUND_STEPS; i++)
				step(o->per);
		}
		snprintf(head, sizeof(head), "%u,%" PRIu64 ",%" PRIu64, r, per * r, accepted);
		snprintf(line, sizeof(line), "sim DARK-LIVE nodes=%u round=%u attempts_per_node=%" PRIu64 " swaps=%" PRIu64,
		    S.n, r, per * r, accepted);
		measure(o, f, head, line);
	}
	fclose(f);
	cost_line("DARK-LIVE", t0);
}

/* pitch: the Pitch Black attack on a darknet that has sorted itself.
 * Swapping and friends of friends; --swaps attempts per node to sort,
 * --warm steps of workload; then attackers (--fractions of the nodes,
 * the same point for all) and PITCH_ROUNDS rounds of --swaps /
 * PITCH_ROUNDS attempts per node, each followed by 1000 steps of
 * workload and probes. Each fraction runs without the defence and with
 * it (every node's location reset with --reset-ppm per attempt, from
 * the start). "near" is the share of honest nodes within 1/64 of the
 * point (1/32 of the circle: 3.1% when spread evenly). */
enum { PITCH_ROUNDS = 10 };

static void
pitch(const struct opts *o)
{
	FILE *f = csv_open(o, "pitch.csv", "attackers,reset_ppm,round,attempts_per_node,swaps_accepted,near,kept," COLS);
	double t0 = now_s();
	int k, def;

	for (k = 0; k < o->nfractions; k++)
		for (def = 0; def < 2; def++) {
			uint64_t accepted = 0, i, per = (uint64_t)o->swaps / PITCH_ROUNDS;
			uint8_t at[WIRE_KEY_LEN];
			unsigned r;
			reset(o->seed);
			S.model = DARK;
			dark_reset_ppm = def ? o->reset_ppm : 0;
			darknet(o->nodes, o->degree, DARK_SWAP | DARK_FOAF);
			for (i = 0; i < (uint64_t)o->swaps * o->nodes; i++)
				(void)swap_once();
			for (i = 0; i < o->warm; i++)
				step(o->per);
			memset(at, 0x5a, sizeof(at));
			pitch_black((uint32_t)(o->fractions[k] * o->nodes + 0.5), at);
			for (r = 0; r <= PITCH_ROUNDS; r++) {
				char head[96], line[200];
				double near, kept;
				if (r > 0) {
					for (i = 0; i < per * o->nodes; i++)
						accepted += (uint64_t)swap_once();
					for (i = 0; i < DARK_ROUND_STEPS; i++)
						step(o->per);
				}
				near = dark_near(at, (uint64_t)1 << 58);
				kept = recent_kept();
				snprintf(head, sizeof(head), "%.3f,%u,%u,%" PRIu64 ",%" PRIu64 ",%.1f,%.1f", o->fractions[k],
				    dark_reset_ppm, r, per * r, accepted, near, kept);
				snprintf(line, sizeof(line), "sim PITCH nodes=%u attackers=%.1f%% reset_ppm=%u round=%u "
				    "attempts_per_node=%" PRIu64 " swaps=%" PRIu64 " near=%.1f%% kept=%.1f%%", S.n,
				    100 * o->fractions[k], dark_reset_ppm, r, per * r, accepted, near, kept);
				measure(o, f, head, line);
			}
		}
	dark_reset_ppm = 0;
	fclose(f);
	cost_line("PITCH", t0);
}

/* fec: do erasure-coded files outlive their blocks? For each redundancy
 * in turn, the same warmed network (same seed) gets --files files of
 * --file-blocks data blocks, each inserted block by block from one
 * node, with ceil(d·m/k) check blocks per segment as crypto/fec.c lays
 * them out; the workload then runs on, and at each age a random node asks
 * for every block of every file (observing: nothing cached). A file is
 * read if each segment has d blocks found. */
enum { FEC_AGES = 4 };

static void
fec(const struct opts *o)
{
	static const unsigned pcts[] = { 0, 25, 50, 100 };
	static const uint32_t ages[FEC_AGES] = { 250, 500, 1000, 2000 };
	FILE *f = csv_open(o, "fec.csv", "redundancy,age,blocks_found,files_read");
	double t0 = now_s();
	size_t p;

	for (p = 0; p < sizeof(pcts) / sizeof(pcts[0]); p++) {
		unsigned m = (pcts[p] * FEC_K_DEFAULT + 50) / 100;
		uint64_t nseg = fec_nsegs(o->file_blocks, FEC_K_DEFAULT), per_file = 0, i;
		uint32_t *first = xrealloc(NULL, o->files * sizeof(*first)), st, age = 0;
		unsigned a, fi;

		reset(o->seed);
		ring(o->nodes);
		for (st = 0; st < o->warm; st++)
			step(o->per);
		for (i = 0; i < nseg; i++) {
			struct fec_seg sg;
			fec_seg_at(o->file_blocks, FEC_K_DEFAULT, m, 0, i, &sg);
			per_file += sg.d + (m ? sg.c : 0);
		}
		for (fi = 0; fi < o->files; fi++) {
			uint32_t at = random_alive();
			first[fi] = S.ndocs;
			for (i = 0; i < per_file; i++)
				insert_op(at, doc_new());
		}
		for (a = 0; a < FEC_AGES; a++) {
			uint64_t found = 0, asked = 0;
			unsigned read = 0;
			for (; age < ages[a]; age++)
				step(o->per);
			set_htl(PROBE_HTL);
			observe(1);
			for (fi = 0; fi < o->files; fi++) {
				uint32_t at = random_alive(), doc = first[fi];
				int whole = 1;
				for (i = 0; i < nseg; i++) {
					struct fec_seg sg;
					unsigned got = 0, b;
					fec_seg_at(o->file_blocks, FEC_K_DEFAULT, m, 0, i, &sg);
					for (b = 0; b < sg.d + (m ? sg.c : 0); b++, doc++)
						got += op(at, 0, doc, NULL) == ROUTER_FOUND;
					found += got;
					asked += sg.d + (m ? sg.c : 0);
					whole &= got >= sg.d;
				}
				read += whole;
			}
			observe(0);
			set_htl(WORK_HTL);
			fprintf(f, "%u,%u,%.1f,%.0f\n", pcts[p], ages[a], 100.0 * found / asked, 100.0 * read / o->files);
			fflush(f);
			printf("sim FEC redundancy=%u%% age=%u blocks_found=%.1f%% files_read=%u/%u\n", pcts[p], ages[a],
			    100.0 * found / asked, read, o->files);
			fflush(stdout);
		}
		free(first);
	}
	fclose(f);
	cost_line("FEC", t0);
}

/* fetch_hops: what `wisp get -v` shows on a real network, here: |count|
 * documents, each inserted at a random node and fetched from another at
 * the workload's HTL; hops as wispd counts them from the answer's HTL
 * (0: the fetching node had it). Ordinary operations: the network
 * learns from them, as the real one does. */
struct hops_result { double q1, median, q3, mean, success; };

static struct hops_result
fetch_hops(int count)
{
	uint64_t *h = calloc((size_t)count, sizeof(uint64_t));
	struct hops_result hr = { 0 };
	double sum = 0;
	int k, ok = 0;

	if (!h)
		die("out of memory");
	for (k = 0; k < count; k++) {
		uint32_t at = random_alive(), from, doc;
		doc = doc_new(); /* one random draw per statement */
		insert_op(at, doc);
		from = random_alive();
		if (from == at)
			continue;
		if (op(from, 0, doc, NULL) != ROUTER_FOUND)
			continue;
		h[ok] = S.op_htl == ROUTER_HTL_HERE ? 0 : (uint64_t)(WORK_HTL - (S.op_htl < WORK_HTL ? S.op_htl : WORK_HTL) + 1);
		sum += (double)h[ok++];
	}
	if (ok) {
		qsort(h, (size_t)ok, sizeof(uint64_t), cmp_u64);
		hr.q1 = quantile(h, (size_t)ok, 0.25);
		hr.median = quantile(h, (size_t)ok, 0.5);
		hr.q3 = quantile(h, (size_t)ok, 0.75);
		hr.mean = sum / ok;
	}
	hr.success = 100.0 * ok / count;
	free(h);
	return hr;
}

static void
open_at(const struct opts *o, FILE *f)
{
	struct probe_result r = probes((int)o->count, 1), a = probes((int)o->count, 0);
	struct hops_result h = fetch_hops((int)o->count);
	unsigned min = UINT32_MAX, t, tr = 0;
	double sum = 0;
	uint32_t i;

	for (i = 0; i < S.n; i++) {
		t = opennet_count(S.nodes[i].on);
		tr += opennet_transient(S.nodes[i].on);
		sum += t;
		min = t < min ? t : min;
	}
	fprintf(f, "%u,%.1f,%.1f,%.1f,%.2f,%.1f,%.1f,%.1f,%.2f,%.1f,%.1f,%.1f,%.1f,%.2f,%.2f,%.2f,%u\n", S.n, r.q1, r.median,
	    r.q3, r.success, a.q1, a.median, a.q3, a.success, stored_share(), h.q1, h.median, h.q3, h.mean, h.success,
	    sum / S.n, min);
	fflush(f);
	printf("sim OPENNET nodes=%u median=%.1f q1=%.1f q3=%.1f success=%.1f%% all_median=%.1f all_success=%.1f%% "
	    "get_hops_median=%.1f get_hops_mean=%.2f get_success=%.1f%% peers_mean=%.1f peers_min=%u transient=%u\n",
	    S.n, r.median, r.q1, r.q3, r.success, a.median, a.success, h.median, h.mean, h.success, sum / S.n, min, tr);
	fflush(stdout);
}

/* opennet: wispd's opennet grown from one seed: a newcomer every |every|
 * steps knows only the seed, links with it, announces and takes the
 * offers; path folding and announcements under node/opennet.c do the
 * rest. Measured at each size of the 1-2-5 series. */
static void
opennet_exp(const struct opts *o)
{
	FILE *f = csv_open(o, "opennet.csv",
	    "nodes," COLS ",get_q1,get_median,get_q3,get_mean,get_success,peers_mean,peers_min");
	double t0 = now_s();
	uint32_t next = 50, i;
	uint64_t st = 0;

	reset(o->seed);
	S.model = OPENNET;
	if (!rewrite_given) {
		struct router_config d;
		router_config_default(&d);
		rcfg.source_rewrite_pct = d.source_rewrite_pct; /* path folding as wispd does it */
	}
	opennet_config_default(&ocfg);
	ocfg.peers = o->peers;
	ocfg.low = (o->peers * 3 + 3) / 4;
	open_seed = node_new();
	open_node(open_seed);
	while (S.n < o->max_nodes || st % o->every) {
		step(o->per);
		if (++st % o->every == 0 && S.n < o->max_nodes)
			open_join();
		if (st % 10 == 0)
			for (i = 0; i < S.n; i++)
				open_maintain(i);
		if (S.n >= next && st % o->every == 0) {
			/* let the last newcomers settle as the real ones do */
			for (i = 0; i < 50; i++) {
				step(o->per);
				if (++st % 10 == 0)
					for (uint32_t k = 0; k < S.n; k++)
						open_maintain(k);
			}
			open_at(o, f);
			while (next <= S.n)
				next = next_size(next);
		}
	}
	fclose(f);
	cost_line("OPENNET", t0);
}

/* crowd: flash crowds (docs/sim.md, "Flash crowds"). In the paper's
 * network warmed as E1's and in the darknet, for k = 2 … 64: a fresh
 * document is inserted at a random node and k other random nodes ask for
 * it at one simulated moment, --probes times for each k. Reported: the
 * share answered with the data, the simulated time to each answer (median,
 * 99th percentile, the longest), the hops (the replies' distance count),
 * the routers' hop timeouts, and how many answers took 10 s or more: a
 * search with backtracking takes a few seconds at most here (10-20 ms a
 * message), and only a request left waiting until a hop deadline (2 s x
 * (HTL + 1)) takes that long. */
static void
crowd_exp(const struct opts *o)
{
	static const unsigned ks[] = { 2, 4, 8, 16, 32, 64 };
	FILE *f = csv_open(o, "crowd.csv", "model,k,success,ms_median,ms_p99,ms_max,hops_median,timeouts,over_10s");
	double t0 = now_s();
	int model;
	size_t ki;

	for (model = 0; model < 2; model++) {
		const char *name = model ? "dark" : "e1";
		for (ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ki++) {
			unsigned k = ks[ki], trial, i, j, ok = 0, slow = 0, n = 0;
			uint64_t *ms = xrealloc(NULL, (size_t)o->count * k * sizeof(*ms)), *hops, to0;
			uint32_t at[64];
			struct crowd_answer res[64];
			hops = xrealloc(NULL, (size_t)o->count * k * sizeof(*hops));
			reset(o->seed);
			if (model) {
				S.model = DARK;
				darknet(o->nodes, o->degree, 0);
			} else {
				ring(o->nodes);
			}
			for (i = 0; i < o->warm; i++)
				step(o->per);
			to0 = timeouts_total();
			for (trial = 0; trial < o->count; trial++) {
				uint32_t doc = doc_new(), src = random_alive();
				insert_op(src, doc);
				for (i = 0; i < k; i++) {
					do {
						at[i] = random_alive();
						for (j = 0; j < i && at[j] != at[i]; j++)
							;
					} while (at[i] == src || j < i);
				}
				crowd(at, k, doc, res);
				for (i = 0; i < k; i++) {
					ok += res[i].done && res[i].st == ROUTER_FOUND;
					ms[n] = res[i].done ? res[i].ms : UINT64_MAX;
					hops[n] = res[i].hops;
					slow += !res[i].done || res[i].ms >= 10000;
					n++;
				}
			}
			qsort(ms, n, sizeof(*ms), cmp_u64);
			qsort(hops, n, sizeof(*hops), cmp_u64);
			fprintf(f, "%s,%u,%.2f,%.0f,%.0f,%" PRIu64 ",%.1f,%" PRIu64 ",%u\n", name, k, 100.0 * ok / n,
			    quantile(ms, n, 0.5), quantile(ms, n, 0.99), ms[n - 1], quantile(hops, n, 0.5),
			    timeouts_total() - to0, slow);
			printf("sim CROWD model=%s nodes=%u k=%u success=%.1f%% ms_median=%.0f ms_p99=%.0f ms_max=%" PRIu64
			    " hops_median=%.1f timeouts=%" PRIu64 " over_10s=%u\n", name, S.n, k, 100.0 * ok / n,
			    quantile(ms, n, 0.5), quantile(ms, n, 0.99), ms[n - 1], quantile(hops, n, 0.5),
			    timeouts_total() - to0, slow);
			fflush(stdout);
			free(ms);
			free(hops);
		}
	}
	fclose(f);
	cost_line("CROWD", t0);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: wisp-sim e1|e2|e3|dark|dark-live|pitch|fec|opennet|crowd|check [options]   (docs/sim.md)\n"
	    "  --seed N         the run's one random seed (1)\n"
	    "  --out DIR        CSV files go here (sim-out)\n"
	    "  --nodes N        E1, E3, dark, dark-live, pitch, crowd: network size (1000; dark, dark-live 10000;\n"
	    "                   pitch 2000)\n"
	    "  --steps N        E1: time steps (5000)\n"
	    "  --per N          operations per step, half inserts, half requests (2)\n"
	    "  --probe-every N  E1: steps between probe rounds (100)\n"
	    "  --probes N       probe requests per round (300); crowd: crowds per k (300)\n"
	    "  --start N        E2, E3: the first ring's size (20)\n"
	    "  --every N        E2, E3: steps between newcomers (5)\n"
	    "  --max-nodes N    E2, opennet: grow to this size (200000; opennet 1000)\n"
	    "  --peers N        opennet: opennet peers a node keeps (20, as wispd)\n"
	    "  --fractions LIST E3: failed fractions, comma-separated (0,0.1,0.2,0.3,0.4,0.5); pitch: attackers\n"
	    "                   (0,0.01,0.05)\n"
	    "  --warm N         E3, dark, pitch, fec, crowd: workload steps before probing (E3 2000, dark 20000,\n"
	    "                   pitch 5000, fec 1500,\n"
	    "                   crowd 2000)\n"
	    "  --degree N       dark: friends per node on average (10)\n"
	    "  --announce-paths N  E2, E3: a newcomer announces through N random seeds (1)\n"
	    "  --files N        fec: files per redundancy (10)\n"
	    "  --file-blocks N  fec: data blocks per file (64)\n"
	    "  --swaps N        dark, dark-live, pitch: swap attempts per node (500)\n"
	    "  --swap-only      dark: only the run with swapping and friends' friends\n"
	    "  --edges          dark: write the friend graph to OUT/dark-edges.txt\n"
	    "  --reset-ppm N    pitch: the defence's chance of a random location per attempt, in millionths (2000)\n"
	    "  --htl N          the workload's hops-to-live (20; probes use 64)\n"
	    "  --window N       \"recent\" probes ask for documents of the last N steps (1000)\n"
	    "  --rewrite PCT    chance a node names itself as a reply's data source (0; opennet 30, as wispd)\n");
	exit(2);
}

static uint32_t
num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || !*s || v > UINT32_MAX)
		usage();
	return (uint32_t)v;
}

int
main(int argc, char **argv)
{
	struct opts o = { .seed = 1, .nodes = 0, .start = 20, .max_nodes = 200000, .every = 5, .steps = 5000,
		.probe_every = 100, .count = 300, .degree = 10, .swaps = 500, .warm = 0, .per = 2, .out = "sim-out",
		.fractions = { 0, 0.1, 0.2, 0.3, 0.4, 0.5 }, .nfractions = 6, .window = 1000, .files = 10,
		.file_blocks = 64, .peers = 20, .reset_ppm = 2000 };
	const char *cmd;
	int i;

	if (argc < 2)
		usage();
	cmd = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--swap-only")) {
			o.swap_only = 1;
			continue;
		}
		if (!strcmp(a, "--edges")) {
			o.edges = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--seed"))
			o.seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--out"))
			o.out = v;
		else if (!strcmp(a, "--nodes"))
			o.nodes = num(v);
		else if (!strcmp(a, "--steps"))
			o.steps = num(v);
		else if (!strcmp(a, "--per"))
			o.per = (int)num(v);
		else if (!strcmp(a, "--probe-every"))
			o.probe_every = num(v);
		else if (!strcmp(a, "--probes"))
			o.count = num(v);
		else if (!strcmp(a, "--start"))
			o.start = num(v);
		else if (!strcmp(a, "--every"))
			o.every = num(v);
		else if (!strcmp(a, "--max-nodes"))
			o.max_nodes = num(v);
		else if (!strcmp(a, "--warm"))
			o.warm = num(v);
		else if (!strcmp(a, "--degree"))
			o.degree = num(v);
		else if (!strcmp(a, "--peers"))
			o.peers = num(v);
		else if (!strcmp(a, "--announce-paths"))
			announce_paths = num(v);
		else if (!strcmp(a, "--files"))
			o.files = num(v);
		else if (!strcmp(a, "--file-blocks"))
			o.file_blocks = num(v);
		else if (!strcmp(a, "--swaps"))
			o.swaps = num(v);
		else if (!strcmp(a, "--reset-ppm"))
			o.reset_ppm = num(v);
		else if (!strcmp(a, "--window"))
			o.window = num(v);
		else if (!strcmp(a, "--htl")) {
			WORK_HTL = (uint8_t)num(v);
			if (WORK_HTL < 2 || WORK_HTL > PROBE_HTL)
				usage();
		} else if (!strcmp(a, "--rewrite")) {
			rewrite_pct = (uint8_t)num(v);
			rewrite_given = 1;
			if (rewrite_pct > 100)
				usage();
		}
		else if (!strcmp(a, "--fractions")) {
			char *copy = strdup(v), *tok, *save = NULL;
			o.nfractions = 0;
			o.fractions_given = 1;
			for (tok = strtok_r(copy, ",", &save); tok && o.nfractions < 16; tok = strtok_r(NULL, ",", &save))
				o.fractions[o.nfractions++] = atof(tok);
			free(copy);
		} else
			usage();
	}
	window_steps = o.window;
	if (o.files == 0 || o.file_blocks == 0 || o.count == 0 || o.probe_every == 0 || o.every == 0 || o.start < 3 || o.per < 1)
		usage();
	if (!strcmp(cmd, "e1")) {
		o.nodes = o.nodes ? o.nodes : 1000;
		e1(&o);
	} else if (!strcmp(cmd, "e2")) {
		e2(&o);
	} else if (!strcmp(cmd, "e3")) {
		o.nodes = o.nodes ? o.nodes : 1000;
		o.warm = o.warm ? o.warm : 2000;
		e3(&o);
	} else if (!strcmp(cmd, "dark")) {
		o.nodes = o.nodes ? o.nodes : 10000;
		o.warm = o.warm ? o.warm : 20000;
		if (o.degree < 2 || o.nodes < 8)
			usage();
		dark(&o);
	} else if (!strcmp(cmd, "dark-live")) {
		o.nodes = o.nodes ? o.nodes : 10000;
		o.warm = o.warm ? o.warm : 20000;
		if (o.degree < 2 || o.nodes < 8 || o.swaps < DARK_ROUNDS)
			usage();
		dark_live(&o);
	} else if (!strcmp(cmd, "pitch")) {
		o.nodes = o.nodes ? o.nodes : 2000;
		o.warm = o.warm ? o.warm : 5000;
		if (!o.fractions_given) {
			o.nfractions = 3;
			o.fractions[0] = 0, o.fractions[1] = 0.01, o.fractions[2] = 0.05;
		}
		if (o.degree < 2 || o.nodes < 8 || o.swaps < PITCH_ROUNDS || o.reset_ppm > 1000000)
			usage();
		pitch(&o);
	} else if (!strcmp(cmd, "fec")) {
		o.nodes = o.nodes ? o.nodes : 1000;
		o.warm = o.warm ? o.warm : 1500;
		fec(&o);
	} else if (!strcmp(cmd, "opennet")) {
		if (o.max_nodes == 200000)
			o.max_nodes = 1000;
		if (o.peers < 1 || o.peers > OPENNET_PEERS_MAX)
			usage();
		opennet_exp(&o);
	} else if (!strcmp(cmd, "crowd")) {
		o.nodes = o.nodes ? o.nodes : 1000;
		o.warm = o.warm ? o.warm : 2000;
		if (o.degree < 2 || o.nodes < 70)
			usage();
		crowd_exp(&o);
	} else if (!strcmp(cmd, "check")) {
		/* make check: a small deterministic run whose line is pinned */
		o.nodes = 200;
		o.steps = 1000;
		o.probe_every = 1000;
		o.count = 200;
		e1(&o);
	} else {
		usage();
	}
	reset(0);
	return 0;
}
