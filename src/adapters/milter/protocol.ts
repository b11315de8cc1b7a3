// The Sendmail milter protocol's constants, as libmilter's mfdef.h defines them and Postfix's
// milter8.c speaks them (protocol version 6; spec scale-out-and-milter.md §5).

/** The protocol version Outgate speaks (SMFI_PROT_VERSION); an MTA offering less is answered with its own. */
export const PROTOCOL_VERSION = 6;
/** libmilter refuses MTAs older than version 2 (no option negotiation before it). */
export const OLDEST_VERSION = 2;

/** Commands the MTA sends (SMFIC_*): the byte after the 4-byte length. */
export const Cmd = {
  ABORT: 0x41, // 'A' the message is abandoned (RSET, a new MAIL, a refused message)
  BODY: 0x42, // 'B' a body chunk
  CONNECT: 0x43, // 'C' hostname\0 family [port address\0]
  MACRO: 0x44, // 'D' the command the macros precede, then name\0value\0 pairs
  EOB: 0x45, // 'E' end of message
  HELO: 0x48, // 'H' helo\0
  QUIT_NC: 0x4b, // 'K' the SMTP session ended; the connection stays for the next one
  HEADER: 0x4c, // 'L' name\0value\0
  MAIL: 0x4d, // 'M' sender\0 esmtp-args\0...
  EOH: 0x4e, // 'N' end of headers
  OPTNEG: 0x4f, // 'O' version, actions, protocol (3 x uint32)
  QUIT: 0x51, // 'Q' close the connection
  RCPT: 0x52, // 'R' recipient\0 esmtp-args\0...
  DATA: 0x54, // 'T' DATA
  UNKNOWN: 0x55, // 'U' an SMTP command the MTA does not know
} as const;

/** Replies the milter sends (SMFIR_*). */
export const Reply = {
  ACCEPT: 0x61, // 'a' accept the message, no more events for it
  CONTINUE: 0x63, // 'c' go on
  REJECT: 0x72, // 'r' 5xx chosen by the MTA
  TEMPFAIL: 0x74, // 't' 4xx chosen by the MTA
  REPLYCODE: 0x79, // 'y' "550 5.1.8 text\0": the SMTP reply as written
  ADDRCPT: 0x2b, // '+' "<rcpt>\0": add a recipient (only at end of message)
  ADDHEADER: 0x68, // 'h' "name\0value\0": append a header (only at end of message)
  OPTNEG: 0x4f, // 'O' the negotiated version, actions, events and (v6) macro lists
} as const;

/** Actions the milter may ask for (SMFIF_*, the second uint32 of OPTNEG). */
export const Action = {
  ADDHDRS: 0x01,
  ADDRCPT: 0x04,
  /** The milter sends the macro lists it wants (SETSYMLIST); Postfix reads them whenever sent. */
  SETSYMLIST: 0x100,
} as const;

/** Protocol flags (SMFIP_*, the third uint32 of OPTNEG): mostly events the milter does not want. */
export const Proto = {
  NOCONNECT: 0x1,
  NOHELO: 0x2,
  NOMAIL: 0x4,
  NORCPT: 0x8,
  NOBODY: 0x10,
  NOHDRS: 0x20,
  NOEOH: 0x40,
  /** No reply to each header: the milter only reads them (Postfix then does not wait for one). */
  NR_HDR: 0x80,
  NOUNKNOWN: 0x100,
  NODATA: 0x200,
} as const;

/** Macro stages (SMFIM_*) of a SETSYMLIST list in the OPTNEG reply. */
export const MacroStage = {
  CONNECT: 0,
  HELO: 1,
  ENVFROM: 2,
  ENVRCPT: 3,
  DATA: 4,
  EOM: 5,
  EOH: 6,
} as const;

/** Address families of SMFIC_CONNECT (SMFIA_*). */
export const Family = {
  UNKNOWN: 0x55, // 'U'
  UNIX: 0x4c, // 'L'
  INET: 0x34, // '4'
  INET6: 0x36, // '6'
} as const;
