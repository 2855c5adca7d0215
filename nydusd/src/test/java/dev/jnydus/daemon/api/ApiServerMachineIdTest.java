package dev.jnydus.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultChannelId;
import org.junit.jupiter.api.Test;

/**
 * The API server gives Netty a machine id before Netty makes its first channel id, so that Netty
 * does not search the network interfaces for a hardware address (and warn at every start in a
 * network namespace, where there is none).
 */
class ApiServerMachineIdTest {
    @Test
    void nettyNamesChannelsWithTheIdTheServerSet() throws Exception {
        Class.forName(ApiServer.class.getName()); // runs its static initialiser
        String machine = System.getProperty("io.netty.machineId");
        assertThat(machine).matches("([0-9a-f]{2}:){7}[0-9a-f]{2}");
        assertThat(DefaultChannelId.newInstance().asLongText())
                .as("Netty used it instead of a hardware address")
                .startsWith(machine.replace(":", ""));
    }
}
