package coop.bulwark.detect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One attack id and one report for a flood several edges of a cluster see: where detection and the cluster meet.
 *
 * <p>The detection tick says which attack is open here ({@link #open}); the cluster's thread claims each of its target
 * sites in the shared store ({@code P:attack:SITE}, set only if absent) with the attack's id and owner, and records
 * what the store holds ({@link #known}). The first edge to declare wins; the others adopt its id at their next tick
 * ({@link Detector} renames its open attack) and leave the report to it ({@link #ownership}). While the store is away
 * nothing is known, so each edge goes on alone with its own id and writes its own report.
 *
 * <p>The owner's report also goes to the store ({@link #shareReport}), so any edge's API can show it.
 *
 * <p>Thread-safe: the detection and report threads write the open attack and reports, the cluster's thread reads them
 * and writes the claims.
 */
public final class AttackClaims {
    /** Who holds an attack id in the cluster. */
    public record Claim(String id, String owner) {
        public Claim {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(owner, "owner");
        }
    }

    /** The attack open on this edge: its id and its target sites' names. */
    public record Open(String id, List<String> sites) {
        public Open {
            Objects.requireNonNull(id, "id");
            sites = List.copyOf(sites);
        }
    }

    /** Whether this edge writes an attack's report. */
    public enum Ownership {
        /** This edge declared it first, or the store is away (each edge reports alone). */
        MINE,
        /** Another edge declared it first: its report is the cluster's. */
        OTHERS,
        /** Declared here, the store not asked yet: wait a tick before writing anything. */
        PENDING
    }

    private final String node;
    private final String idSuffix;
    private final Map<String, Claim> bySite = new ConcurrentHashMap<>();
    private final Map<String, String> reports = new LinkedHashMap<>();
    /**
     * The latest ids another edge was found to own: kept past the claim's end, so an attack's last tick (which may
     * come after this edge's claim was forgotten) still leaves the report to its owner.
     */
    private final Map<String, Boolean> othersIds = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 64;
        }
    };

    private volatile Open open;
    private volatile boolean online;

    /** @param node this edge's name in the cluster */
    public AttackClaims(String node) {
        this.node = Objects.requireNonNull(node, "node");
        // Report file names are ids (ReportWriter.ID: at most 100 characters): a long host name is cut.
        String name = node.replaceAll("[^A-Za-z0-9_-]", "-");
        this.idSuffix = "-" + (name.length() > 60 ? name.substring(0, 60) : name);
    }

    public String node() {
        return node;
    }

    /** A new attack's id made unique in the cluster: the edge's name appended (as a report file name allows). */
    String qualify(String localId) {
        return localId + idSuffix;
    }

    /** The cluster's claim on {@code site}, if this edge learnt one (the detection tick). */
    Optional<Claim> claimOf(String site) {
        return Optional.ofNullable(bySite.get(site));
    }

    /** The attack open here now (the detection tick; tests); null when none. */
    public void open(Open attack) {
        this.open = attack;
    }

    /** The attack open here, for the cluster's thread to claim; null when none. */
    public Open open() {
        return open;
    }

    /** What the store holds for {@code site} (the cluster's thread, after a claim). */
    public void known(String site, Claim claim) {
        bySite.put(site, claim);
        if (!claim.owner().equals(node)) {
            synchronized (othersIds) {
                othersIds.put(claim.id(), Boolean.TRUE);
            }
        }
    }

    /** The claim on {@code site} was given back or lapsed. */
    public void forget(String site) {
        bySite.remove(site);
    }

    /** Whether the store answers: while it does not, every edge owns what it declares. */
    public void online(boolean online) {
        this.online = online;
        if (!online) {
            bySite.clear();
        }
    }

    /** Whether this edge writes the report of attack {@code id}, as far as it knows now. */
    public Ownership ownership(String id) {
        if (!online) {
            return Ownership.MINE;
        }
        synchronized (othersIds) {
            if (othersIds.containsKey(id)) {
                return Ownership.OTHERS;
            }
        }
        Open o = open;
        for (Claim c : bySite.values()) {
            if (c.id().equals(id)) {
                return c.owner().equals(node) ? Ownership.MINE : Ownership.OTHERS;
            }
        }
        // Not claimed: pending while it is the attack open here (its claim is on its way), else an old one of ours.
        return o != null && o.id().equals(id) ? Ownership.PENDING : Ownership.MINE;
    }

    /** The owner's latest report of attack {@code id} (JSON), for the store. Non-blocking; the latest replaces. */
    public synchronized void shareReport(String id, String json) {
        reports.put(id, json);
    }

    /** The reports to store, taken (the cluster's thread). */
    public synchronized List<Map.Entry<String, String>> takeReports() {
        if (reports.isEmpty()) {
            return List.of();
        }
        List<Map.Entry<String, String>> out = new ArrayList<>(reports.entrySet());
        reports.clear();
        return out;
    }
}
