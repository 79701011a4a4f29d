// SPDX-License-Identifier: MPL-2.0
// Every protocol number of VL1 in one place: header offsets, flag bits, cipher suites, verbs
// and sizes (spec vl1.md §3, §4, §5, §9). Layouts of each verb's payload sit above its enumerator.
#ifndef WEFT_WIRE_H
#define WEFT_WIRE_H

// Packet header (vl1.md §3.2): absolute offsets from the first byte of the UDP payload.
enum weft_wire_offset {
	WEFT_WIRE_IDX_ID = 0,      // 8: packet ID, also the Salsa20 nonce
	WEFT_WIRE_IDX_DEST = 8,    // 5: destination address
	WEFT_WIRE_IDX_SOURCE = 13, // 5: source address (0xFF here marks a fragment)
	WEFT_WIRE_IDX_FLAGS = 18,  // 1: see enum weft_wire_flag
	WEFT_WIRE_IDX_MAC = 19,    // 8: MAC / SIV half / trusted path ID
	WEFT_WIRE_IDX_VERB = 27,   // 1: verb byte, first byte of the encryption envelope
	WEFT_WIRE_IDX_PAYLOAD = 28,
};

// Fragment header (vl1.md §3.7).
enum weft_wire_fragment_offset {
	WEFT_WIRE_FRAG_IDX_ID = 0,         // 8: packet ID of the whole packet
	WEFT_WIRE_FRAG_IDX_DEST = 8,       // 5
	WEFT_WIRE_FRAG_IDX_INDICATOR = 13, // 1: 0xFF
	WEFT_WIRE_FRAG_IDX_NUMBERS = 14,   // 1: total << 4 | number
	WEFT_WIRE_FRAG_IDX_HOPS = 15,      // 1: hop count in the low 3 bits
	WEFT_WIRE_FRAG_IDX_PAYLOAD = 16,
};

// Flags byte at offset 18 (vl1.md §3.3).
enum weft_wire_flag {
	WEFT_WIRE_FLAG_ENCRYPTED = 0x80,  // legacy: set iff cipher suite 1
	WEFT_WIRE_FLAG_FRAGMENTED = 0x40, // more fragments follow this head
	WEFT_WIRE_FLAG_CIPHER_MASK = 0x38,
	WEFT_WIRE_FLAG_CIPHER_SHIFT = 3,
	WEFT_WIRE_FLAG_HOPS_MASK = 0x07,
};

// Verb byte (vl1.md §3.4).
enum weft_wire_verb_flag {
	WEFT_WIRE_VERB_COMPRESSED = 0x80,
	WEFT_WIRE_VERB_MASK = 0x1f,
	WEFT_VERB_SLOTS = 32, // one counter per value of the masked verb
};

// Cipher suites (vl1.md §4.1).
enum weft_cipher {
	WEFT_CIPHER_POLY1305_NONE = 0,      // authenticated, not encrypted (HELLO)
	WEFT_CIPHER_POLY1305_SALSA2012 = 1, // Salsa20/12 + Poly1305
	WEFT_CIPHER_NONE = 2,               // trusted path: no crypto at all
	WEFT_CIPHER_AES_GMAC_SIV = 3,
};

// Verbs (vl1.md §5.1). Payload offsets below start at packet byte 28.
enum weft_verb {
	WEFT_VERB_NOP = 0x00,
	// protocol version (1), major (1), minor (1), revision (2), timestamp (8), identity (71),
	// physical destination (InetAddress), planet ID (8), planet timestamp (8), then encrypted:
	// moon count (2), moons: type (1) ID (8) timestamp (8)
	WEFT_VERB_HELLO = 0x01,
	// in-re verb (1), in-re packet ID (8), error code (1), code data
	WEFT_VERB_ERROR = 0x02,
	// in-re verb (1), in-re packet ID (8), reply payload
	WEFT_VERB_OK = 0x03,
	// addresses (5 each)
	WEFT_VERB_WHOIS = 0x04,
	// flags (1), address (5), port (2), IP length (1), IP (4 or 16)
	WEFT_VERB_RENDEZVOUS = 0x05,
	// network ID (8), ethertype (2), payload
	WEFT_VERB_FRAME = 0x06,
	// network ID (8), flags (1), [COM], dest MAC (6), source MAC (6), ethertype (2), payload
	WEFT_VERB_EXT_FRAME = 0x07,
	// arbitrary payload, echoed in OK
	WEFT_VERB_ECHO = 0x08,
	// records: network ID (8), MAC (6), ADI (4)
	WEFT_VERB_MULTICAST_LIKE = 0x09,
	WEFT_VERB_NETWORK_CREDENTIALS = 0x0a,
	// network ID (8), metadata length (2), metadata, revision (8), timestamp (8)
	WEFT_VERB_NETWORK_CONFIG_REQUEST = 0x0b,
	WEFT_VERB_NETWORK_CONFIG = 0x0c,
	WEFT_VERB_MULTICAST_GATHER = 0x0d,
	WEFT_VERB_MULTICAST_FRAME = 0x0e,
	WEFT_VERB_PUSH_DIRECT_PATHS = 0x10,
	WEFT_VERB_ACK = 0x12,
	WEFT_VERB_QOS_MEASUREMENT = 0x13,
	// type ID (8), data
	WEFT_VERB_USER_MESSAGE = 0x14,
	WEFT_VERB_REMOTE_TRACE = 0x15,
	WEFT_VERB_PATH_NEGOTIATION_REQUEST = 0x16,
};

// Sizes (vl1.md §3.6, §9).
enum weft_wire_size {
	WEFT_ADDRESS_LEN = 5,
	WEFT_PACKET_MIN_LEN = 28,
	WEFT_FRAGMENT_HEADER_LEN = 16,
	WEFT_PACKET_MAX_LEN = 10024, // largest assembled packet a 1.14 node accepts
	WEFT_PAYLOAD_MAX_LEN = 10024 - 28,
	WEFT_PHYSMTU_DEFAULT = 1432,
	WEFT_PHYSMTU_MIN = 1400,
	WEFT_PHYSMTU_MAX = 10324,
	WEFT_FRAGMENTS_MAX = 7, // pieces per packet, head included
	WEFT_PROTO_MAX_HOPS = 7,
	WEFT_COMPRESS_MIN_PAYLOAD = 65, // 1.14 compresses only payloads longer than 64 bytes
	WEFT_PEER_KEY_LEN = 48,
	WEFT_DEFAULT_PORT = 9993,
	WEFT_PROTO_VERSION = 12,
	WEFT_PROTO_VERSION_MIN = 4,
};

// An address is reserved if zero or its top byte is 0xFF (vl1.md §1.4).
#define WEFT_ADDRESS_RESERVED_PREFIX 0xffu
#define WEFT_ADDRESS_MASK            0xffffffffffULL

// Timings in milliseconds (vl1.md §6, §9).
enum weft_timing {
	WEFT_T_QUEUE_TIMEOUT = 5000, // pending tx/rx packets
	WEFT_T_WHOIS_RETRY = 500,    // per address
	WEFT_T_TIMER_GRANULARITY = 60,
	WEFT_T_PING_CHECK = 5000,
	WEFT_T_HOUSEKEEPING = 30000,
	WEFT_T_PATH_HEARTBEAT = 14000, // ECHO a path idle this long
	WEFT_T_PATH_ALIVE = 19000,     // heartbeat + 5 s
	WEFT_T_PEER_PING = 60000,      // full HELLO to active peers
	WEFT_T_PATH_EXPIRATION = 243000,
	WEFT_T_PEER_ACTIVITY = 500000,
	WEFT_T_UPSTREAM_PING = 224000, // 16 x heartbeat
	WEFT_T_MIN_UNITE = 30000,      // RENDEZVOUS per pair
	WEFT_T_PUSH_CUTOFF = 30000,
	WEFT_T_WHOIS_RATE_LIMIT = 100, // inbound, per peer
	WEFT_T_ECHO_RATE_LIMIT = 166,  // inbound, per path
	WEFT_T_CONFIRM_HELLO = 1000,   // per unknown path
	WEFT_T_IDENTITY_VERIFY = 2000, // per source bucket
	WEFT_T_SELFAWARE_TIMEOUT = 600000,
	WEFT_T_AGE_CAP = 140000,        // path quality age cap
	WEFT_T_QUALITY_DIVISOR = 61000, // upstream quality
	// After RENDEZVOUS, weft sends the NAT-opening datagram at once but its HELLO/ECHO only
	// this much later, so both NATs are open before either side's probe arrives. (1.14 sends
	// both at once; two Linux NATs racing then remap a port and the punch fails.)
	WEFT_T_CONTACT_DELAY = 200,
	WEFT_T_NETWORK_TIMERS = 1000,
	WEFT_T_GATE_WAIT = 5000, // a frame waits this long for its sender's credentials      //
	                         // joined networks' config refresh and announcements
	WEFT_T_MC_SUBSCRIPTION = 600000, // a subscriber not heard from this long is forgotten
	WEFT_T_MC_CONFIGURED = 180000,   // controller: LIKE/GATHER accepted after a config

};

#define WEFT_RELAY_MAX_HOPS  3
#define WEFT_PUSH_LIMIT      8
#define WEFT_LATENCY_UNKNOWN 65535u

// ERROR codes (vl1.md §5.5).
enum weft_error_code {
	WEFT_ERROR_NONE = 0,
	WEFT_ERROR_INVALID_REQUEST = 1,
	WEFT_ERROR_BAD_PROTOCOL_VERSION = 2,
	WEFT_ERROR_OBJ_NOT_FOUND = 3,
	WEFT_ERROR_IDENTITY_COLLISION = 4,
	WEFT_ERROR_UNSUPPORTED_OPERATION = 5,
	WEFT_ERROR_NEED_MEMBERSHIP_CERTIFICATE = 6,
	WEFT_ERROR_NETWORK_ACCESS_DENIED = 7,
	WEFT_ERROR_UNWANTED_MULTICAST = 8,
	WEFT_ERROR_NETWORK_AUTHENTICATION_REQUIRED = 9,
};

#endif
