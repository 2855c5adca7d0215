package dev.jnydus.fscache;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Layer L4 (STYLE.md module map): the fscache daemon reaches the kernel only through its
 * cachefiles protocol package, which reaches it only through {@code dev.jnydus.sys}.
 */
class FscacheArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.jnydus.fscache");

    @Test
    void theDaemonTouchesNoSyscallAndNoCacheInternals() {
        noClasses().that().resideInAPackage("dev.jnydus.fscache")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jnydus.sys..", "com.sun.jna..",
                        "dev.jnydus.cache.file..", "dev.jnydus.cache.state..", "dev.jnydus.cache.prefetch..",
                        "dev.jnydus.fuse..", "dev.jnydus.rafs.fs..")
                .check(CLASSES);
    }

    @Test
    void theProtocolPackageImportsOnlyCommonAndSys() {
        classes().that().resideInAPackage("dev.jnydus.fscache.cachefiles..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.jnydus.common..", "dev.jnydus.sys..",
                        "dev.jnydus.fscache.cachefiles..", "org.slf4j..")
                .check(CLASSES);
    }

    @Test
    void nothingButTheSysPackageUsesJna() {
        noClasses().should().dependOnClassesThat().resideInAPackage("com.sun.jna..").check(CLASSES);
    }
}
