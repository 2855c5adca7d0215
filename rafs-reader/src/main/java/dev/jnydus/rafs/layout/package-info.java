/**
 * Byte-level access shared by the v5 and v6 decoders: the mapped bootstrap with bounds checks that
 * name the field being read, and the records both formats store alike (the 80-byte chunk record).
 * Imports {@code common} and, from the metadata package, the exception and the records it decodes
 * into.
 */
package dev.jnydus.rafs.layout;
