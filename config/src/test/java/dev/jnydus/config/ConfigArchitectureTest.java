package dev.jnydus.config;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Layer L1: the config module reads documents and nothing else (STYLE.md module map). */
class ConfigArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.jnydus.config");

    @Test
    void importsOnlyCommonJacksonAndSlf4j() {
        classes().that().resideInAPackage("dev.jnydus.config..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.jnydus.common..", "dev.jnydus.config..",
                        "com.fasterxml.jackson..", "org.slf4j..")
                .check(CLASSES);
    }

    @Test
    void readersWritersAndValidatorArePackagePrivate() {
        classes().that().haveSimpleNameEndingWith("Reader").or().haveSimpleNameEndingWith("Writer")
                .or().haveSimpleNameEndingWith("Validator").or().haveSimpleNameEndingWith("Converter")
                .or().haveSimpleName("ConfigParser").or().haveSimpleName("JsonFields")
                .should().notBePublic()
                .check(CLASSES);
    }
}
