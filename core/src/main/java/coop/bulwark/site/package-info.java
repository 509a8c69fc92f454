/**
 * The configuration model and its loading, no Netty and no other project package: immutable records ({@link
 * coop.bulwark.site.EdgeConfig} and its parts, built by {@link coop.bulwark.site.EdgeConfig#builder()} or loaded),
 * {@link coop.bulwark.site.ConfigLoader} (YAML → records; every problem reported as {@code
 * FILE:LINE:COLUMN: path: value (expected: ...)}, never a half-loaded config), and {@link
 * coop.bulwark.site.HostRouter} (Host/SNI → site: exact names, then the longest wildcard, without allocating).
 *
 * <p>The innermost package: every feature reads its settings from here.
 */
package coop.bulwark.site;
