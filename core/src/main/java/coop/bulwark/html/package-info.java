/**
 * HTML text for the pages and reports Bulwark writes itself (challenge pages, incident reports, lab outcomes):
 * {@link coop.bulwark.html.HtmlText} escapes text from config or clients so it cannot inject markup. No Netty, no
 * template engine.
 */
package coop.bulwark.html;
