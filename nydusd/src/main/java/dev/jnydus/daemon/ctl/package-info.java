/**
 * {@code nydusctl}, the operators' client of the API socket, and the small HTTP/1.1 client it
 * (and the black-box tests) use. Imports only the JDK and Jackson.
 */
package dev.jnydus.daemon.ctl;
