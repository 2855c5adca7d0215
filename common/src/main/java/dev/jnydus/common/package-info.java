/**
 * The bottom layer: errno values, the errno-carrying exception, the one exception-to-errno table,
 * byte helpers and injectable time. Imports the JDK only; every module may import it.
 */
package dev.jnydus.common;
