// SPDX-License-Identifier: MPL-2.0
// Every table and queue cap of the core, and the timeouts that bound them. When a table is
// full the core drops and counts; nothing grows without bound.
#ifndef WEFT_LIMITS_H
#define WEFT_LIMITS_H

// Fragment reassembly (vl1.md §3.7): slots in flight, and how long an incomplete one lives.
#define WEFT_LIMIT_DEFRAG_SLOTS 32
#define WEFT_DEFRAG_TIMEOUT_MS  5000

// Identity address derivation scratch (vl1.md §1.2).
#define WEFT_IDENTITY_HASH_MEMORY 2097152

#endif

// ---- the node (vl1.md §6, §9) ----
#define WEFT_LIMIT_PEERS                 65536 // peers held in memory; beyond it new ones are refused
#define WEFT_LIMIT_PEER_BUCKETS          4096 // peer hash buckets (power of two)
#define WEFT_LIMIT_PEER_PATHS            16   // paths per peer (1.14 allows 64)
#define WEFT_LIMIT_MOONS                 8    // moons held or being fetched
#define WEFT_LIMIT_UPSTREAMS             36   // roots of the planet and all moons (4 x 9)
#define WEFT_LIMIT_TXQ                   32   // packets waiting for an identity or a path
#define WEFT_LIMIT_RXQ                   32   // packets from senders being WHOISed
#define WEFT_LIMIT_WHOIS                 64   // addresses being resolved
#define WEFT_LIMIT_RENDEZVOUS            1024 // peer pairs introduced recently
#define WEFT_LIMIT_SELFAWARE             32   // external addresses reported to us
#define WEFT_LIMIT_IDV_BUCKETS           16384 // identity-verification rate buckets by source address
#define WEFT_LIMIT_EXPECT_BUCKETS        256   // expected-reply table: buckets x entries
#define WEFT_LIMIT_EXPECT_ENTRIES        32
#define WEFT_LIMIT_CONTACTS              32     // delayed contacts after RENDEZVOUS
#define WEFT_LIMIT_CFG_SLOTS             3      // config updates reassembled at once (as 1.14)
#define WEFT_LIMIT_MC_GROUPS             262144 // (network, group) pairs in the subscription table
#define WEFT_LIMIT_MC_SUBSCRIBERS        8192   // subscribers kept per group
#define WEFT_LIMIT_PEER_CONFIGURED       4  // networks per peer we sent a config for, as controller
#define WEFT_LIMIT_NETWORKS              64 // joined networks
#define WEFT_LIMIT_BRIDGE_ROUTES         1024 // MACs behind bridges remembered per network
#define WEFT_LIMIT_GATE_WAIT             16   // frames waiting for their sender's credentials
#define WEFT_LIMIT_NETWORK_SUBS          256  // our own port's multicast groups per network
#define WEFT_LIMIT_MEMBERSHIP_BUCKETS    256  // membership hash buckets per network
#define WEFT_LIMIT_MEMBERSHIPS           8192 // membership records per network
#define WEFT_LIMIT_MEMBER_TAGS           32   // a peer's tags kept (1.14 sends at most 128)
#define WEFT_LIMIT_MEMBER_CAPS           16   // a peer's capabilities kept
#define WEFT_LIMIT_MEMBER_COOS           4
#define WEFT_LIMIT_MEMBER_REVOCATIONS    16
#define WEFT_LIMIT_MC_PENDING            8 // queued outbound multicasts per network
#define WEFT_LIMIT_MC_PENDING_RECIPIENTS 64
#define WEFT_LIMIT_MC_PENDING_BYTES      2800   // longer multicasts are sent, not queued
#define WEFT_LIMIT_CFG_CHUNKS            474    // chunks per update (as 1.14)
#define WEFT_LIMIT_CFG_DICT              484520 // largest config dictionary accepted (vl2.md §2.6)
#define WEFT_CFG_CHUNK_MAX               9740   // dictionary bytes per chunk, as 1.14 cuts them
