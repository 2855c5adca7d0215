/**
 * {@code nydus-image check}: validate a bootstrap, print its tree, read every file through a
 * backend and verify every chunk. Imports {@code common}, {@code rafs-reader} and {@code backend}.
 */
package dev.jnydus.builder.check;
