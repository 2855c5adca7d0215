/**
 * Byte-level access shared by the v5 and v6 decoders: the mapped bootstrap with bounds checks that
 * name the field being read. Imports {@code common} and the metadata exception only.
 */
package dev.jnydus.rafs.layout;
