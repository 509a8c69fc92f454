package coop.bulwark.report;

/**
 * The incident reports' words, in every {@link ReportLanguage}: the one translation table. A phrase's {@code {0}},
 * {@code {1}}, … are filled by {@link #in}; a translation may put them in any order but must use the same ones
 * ({@code PhraseTest} checks every phrase exists in every language with the same placeholders).
 *
 * <p>Plain text: the renderers escape what they put around it, and callers escape site names and other text from
 * config or clients before passing them in. Figures are already spelled by {@link ReportLanguage}.
 */
enum Phrase {
    // Title and the line under it
    TITLE("Incident report: attack {0}", "Informe de incidente: ataque {0}"),
    STATUS("Status", "Estado"),
    STATUS_ENDED("ended", "terminado"),
    STATUS_ONGOING("ongoing", "en curso"),
    TARGETS("Targets", "Objetivos"),
    PEAK("Peak", "Pico"),
    REQUESTS_PER_S("{0} requests/s", "{0} peticiones/s"),
    TIME_TO_DETECT("Time to detect", "Tiempo hasta detectarlo"),
    TIME_TO_MITIGATE("Time to mitigate", "Tiempo hasta mitigarlo"),

    // The summary paragraph, built from these pieces in this order
    H_SUMMARY("Summary", "Resumen"),
    WHEN_ENDED_ONE(
            "From {0} to {1} UTC on {2} ({3}) the site {4} received",
            "El {2}, de {0} a {1} UTC ({3}), el sitio {4} recibió"),
    WHEN_ENDED_MANY(
            "From {0} to {1} UTC on {2} ({3}) the sites {4} received",
            "El {2}, de {0} a {1} UTC ({3}), los sitios {4} recibieron"),
    WHEN_ONGOING_ONE(
            "Since {0} UTC on {1} (ongoing, {2} so far) the site {3} has been receiving",
            "Desde las {0} UTC del {1} (en curso; {2} hasta ahora), el sitio {3} está recibiendo"),
    WHEN_ONGOING_MANY(
            "Since {0} UTC on {1} (ongoing, {2} so far) the sites {3} have been receiving",
            "Desde las {0} UTC del {1} (en curso; {2} hasta ahora), los sitios {3} están recibiendo"),
    FLOOD(" a flood of up to {0} requests/s", " una avalancha de hasta {0} peticiones/s"),
    TIMES_USUAL_ONE(
            ", about {0} times its usual traffic ({1} requests/s)",
            ", unas {0} veces su tráfico habitual ({1} peticiones/s)"),
    TIMES_USUAL_MANY(
            ", about {0} times their usual traffic ({1} requests/s)",
            ", unas {0} veces su tráfico habitual ({1} peticiones/s)"),
    USUALLY_QUIET_ONE(
            ", where it usually sees less than one request/s", ", cuando suele recibir menos de una petición/s"),
    USUALLY_QUIET_MANY(
            ", where they usually see less than one request/s", ", cuando suelen recibir menos de una petición/s"),
    FROM_SOURCES(
            ", from up to {0} distinct source addresses per second",
            ", desde hasta {0} direcciones de origen distintas por segundo"),
    HEAVIEST(", the heaviest networks being {0}", "; las redes que más enviaron fueron {0}"),
    DETECTED(". Bulwark detected it within {0}", ". Bulwark lo detectó en {0}"),
    MITIGATED(" and mitigated it {0} after it began", " y lo mitigó {0} después de que empezara"),
    ORIGIN_FELL_ONE(
            "; the requests reaching its origin servers fell from {0}/s to {1}/s",
            "; las peticiones que llegaban a sus servidores de origen bajaron de {0}/s a {1}/s"),
    ORIGIN_FELL_MANY(
            "; the requests reaching their origin servers fell from {0}/s to {1}/s",
            "; las peticiones que llegaban a sus servidores de origen bajaron de {0}/s a {1}/s"),
    USUAL_RATE(" (usual: {0}/s)", " (lo habitual: {0}/s)"),
    NO_MITIGATION_RECORDED("; no mitigation was recorded", "; no se registró ninguna mitigación"),
    OTHERS_ONE(
            " The other site: {0} of its {1} requests were served without error",
            " El otro sitio: se sirvieron sin error el {0} de sus {1} peticiones"),
    OTHERS_MANY(
            " The other {2} sites: {0} of their {1} requests were served without error",
            " Los otros {2} sitios: se sirvieron sin error el {0} de sus {1} peticiones"),
    BEFORE_THE_ATTACK(" ({0} before the attack)", " (el {0} antes del ataque)"),
    ORIGINS_ANSWERING(
            ", with their origins answering in {0} ms on average",
            ", y sus servidores de origen respondieron en {0} ms de media"),
    MS_BEFORE(" ({0} ms before)", " ({0} ms antes)"),

    // Timeline
    H_TIMELINE("Timeline", "Cronología"),
    ALL_TIMES_UTC("All times UTC, {0}.", "Todas las horas en UTC, {0}."),
    COL_TIME("time", "hora"),
    COL_SITE("site", "sitio"),
    COL_EVENT("event", "suceso"),
    ALL_SITES("all", "todos"),
    EVENT_MITIGATION("mitigation {0}", "mitigación {0}"),
    EVENT_ONSET("onset: the first sign of the flood", "inicio: la primera señal de la avalancha"),
    EVENT_DECLARED("attack declared (targets: {0})", "ataque declarado (objetivos: {0})"),
    EVENT_OVER(
            "attack over: every target back to normal", "fin del ataque: todos los objetivos vuelven a la normalidad"),
    FIRST_EVENTS(
            "The first {0} events are shown; the JSON report has them all.",
            "Se muestran los primeros {0} sucesos; el informe JSON los tiene todos."),

    // Targets
    H_TARGETS("Targets", "Objetivos"),
    COL_UNDER_ATTACK("under attack", "bajo ataque"),
    COL_PEAK_RPS("peak req/s", "pico pet./s"),
    COL_USUAL_RPS("usual req/s", "pet./s habituales"),
    COL_REQUESTS("requests", "peticiones"),
    COL_ORIGIN_USUAL("origin req/s: usual", "pet./s al origen: habituales"),
    COL_BEFORE_MITIGATION("before mitigation", "antes de mitigar"),
    COL_AFTER("after", "después"),

    // Sources
    H_SOURCES("Sources", "Fuentes"),
    SOURCES(
            "Up to {0} distinct source addresses per second. While the targets were under attack they received {1}"
                    + " requests: {2}; {3} with a random-looking query string (cache busting); {4} from returning"
                    + " visitors or visitors holding a challenge cookie.",
            "Hasta {0} direcciones de origen distintas por segundo. Mientras los objetivos estaban bajo ataque"
                    + " recibieron {1} peticiones: {2}; el {3} con una cadena de consulta de aspecto aleatorio (para"
                    + " esquivar la caché); el {4} de visitantes habituales o con la cookie de la verificación."),
    OTHER_METHODS("other methods", "otros métodos"),
    NO_REQUESTS_COUNTED("no requests counted", "ninguna petición contada"),
    HEAVIEST_NETWORKS(
            "Heaviest source networks (estimated; a count never under-states):",
            "Redes de origen que más enviaron (estimación; una cifra nunca se queda corta):"),
    COL_NETWORK("network", "red"),
    COL_SHARE("share", "proporción"),
    TOP_PATHS("Most requested paths (estimated):", "Rutas más pedidas (estimación):"),
    COL_PATH("path", "ruta"),
    TOP_AGENTS("Most frequent User-Agents (estimated):", "User-Agents más frecuentes (estimación):"),
    NOT_SAMPLED("(not sampled)", "(sin muestra)"),

    // Mitigations
    H_MITIGATIONS("Mitigations and their effect", "Mitigaciones y su efecto"),
    NO_MITIGATION("No mitigation was recorded.", "No se registró ninguna mitigación."),
    COL_KIND("kind", "tipo"),
    COL_DETAIL("detail", "detalle"),
    EFFECT(
            "Requests reaching the targets' origin servers: {0}/s usually, {1}/s from the onset to the first"
                    + " mitigation",
            "Peticiones que llegaban a los servidores de origen de los objetivos: {0}/s normalmente, {1}/s desde el"
                    + " inicio hasta la primera mitigación"),
    EFFECT_AFTER(
            " ({0}), {1}/s after it while the targets were under attack, though they still received {2} requests/s",
            " ({0}) y {1}/s después, mientras los objetivos seguían bajo ataque, aunque aún recibían {2}"
                    + " peticiones/s"),

    // Collateral
    H_COLLATERAL("Collateral", "Daños colaterales"),
    COL_OTHER_SITES("other sites ({0})", "otros sitios ({0})"),
    COL_BEFORE_ATTACK("before the attack", "antes del ataque"),
    COL_DURING("during", "durante"),
    ROW_RPS("requests/s", "peticiones/s"),
    ROW_SERVED("served without error", "servidas sin error"),
    ROW_LATENCY("mean origin latency", "latencia media del origen"),
    WORST(
            "The other sites with the most errors during the attack:",
            "Los otros sitios con más errores durante el ataque:"),

    // Times
    H_TIMES("Time to detect and mitigate", "Tiempo hasta detectar y mitigar"),
    ONSET_AT("Onset (first sign): {0} UTC", "Inicio (primera señal): {0} UTC"),
    DETECTED_AT("Detected: {0} UTC, {1} after onset", "Detección: {0} UTC, {1} después del inicio"),
    FIRST_MITIGATION_NONE("First mitigation: none", "Primera mitigación: ninguna"),
    FIRST_MITIGATION_AT(
            "First mitigation: {0} UTC, {1} after onset", "Primera mitigación: {0} UTC, {1} después del inicio"),
    ENDED_ONGOING("Ended: ongoing", "Fin: en curso"),
    ENDED_AT("Ended: {0} UTC", "Fin: {0} UTC"),
    WHOLE_EDGE(
            "Whole edge: peak {0} requests/s (usual {1})", "Todo el edge: pico de {0} peticiones/s (lo habitual: {1})"),
    UPLINK_UP_TO(", uplink up to {0} of capacity", ", enlace a Internet hasta el {0} de su capacidad"),
    ORIGIN_SATURATION(", origin saturation up to {0}", ", saturación del origen hasta el {0}"),
    FOOTER(
            "Generated by Bulwark at {0}. Figures per second are averages over one-second ticks; source counts are"
                    + " estimates.",
            "Generado por Bulwark el {0}. Las cifras por segundo son medias de intervalos de un segundo; los"
                    + " recuentos de fuentes son estimaciones."),

    // HTML charts
    H_CHARTS("Charts", "Gráficos"),
    CHART_TARGETS("Targets: requests per second", "Objetivos: peticiones por segundo"),
    LINE_REQUESTS("{0}: requests/s", "{0}: peticiones/s"),
    LINE_REACHING_ORIGIN("{0}: reaching the origin/s", "{0}: llegan al origen/s"),
    CHART_SERVED("Other sites: requests served without error (%)", "Otros sitios: peticiones servidas sin error (%)"),
    LINE_SERVED("served without error (%)", "servidas sin error (%)"),
    CHART_OTHERS_RATE(
            "Other sites: requests per second and mean origin latency (ms)",
            "Otros sitios: peticiones por segundo y latencia media del origen (ms)"),
    LINE_LATENCY("origin latency (ms)", "latencia del origen (ms)"),
    MARK_ONSET("onset", "inicio"),
    MARK_DETECTED("detected", "detección"),
    MARK_MITIGATED("mitigated", "mitigación"),
    MARK_ENDED("ended", "fin"),

    // Lists: "a, b and c"
    AND(" and ", " y ");

    private final String en;
    private final String es;

    Phrase(String en, String es) {
        this.en = en;
        this.es = es;
    }

    /** The phrase in {@code lang} with {@code {i}} replaced by {@code args[i]}. */
    String in(ReportLanguage lang, Object... args) {
        String text = text(lang);
        if (args.length == 0) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 32 * args.length);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{'
                    && i + 2 < text.length()
                    && text.charAt(i + 2) == '}'
                    && Character.isDigit(text.charAt(i + 1))) {
                int n = text.charAt(i + 1) - '0';
                if (n >= args.length) {
                    throw new IllegalArgumentException(name() + ": no argument {" + n + "}");
                }
                b.append(args[n]);
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The phrase in {@code lang}, placeholders left in. */
    String text(ReportLanguage lang) {
        return switch (lang) {
            case EN -> en;
            case ES -> es;
        };
    }
}
