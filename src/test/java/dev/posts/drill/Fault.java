package dev.posts.drill;

import java.util.Arrays;
import java.util.List;

/** The faults a drill can inject, in the order a fixed schedule runs them. */
enum Fault {
    KILL("kill", "kill a replica", Group.MEMBERSHIP), CRASH("crash", "crash a replica", Group.MEMBERSHIP), DEPLOY(
            "deploy", "rolling deployment", Group.DEPLOYMENT), PAUSE(
                    "pause", "pause a replica", Group.MEMBERSHIP), REDIS_RESTART("redis-restart",
                            "Redis stopped and restarted",
                            Group.REDIS), REDIS_FAILOVER("redis-failover", "Redis failover",
                                    Group.REDIS), DB_RESTART("db-restart", "database restart", Group.DATABASE);

    /**
     * Faults of one group never run at once, even in a nemesis schedule: a Redis cannot fail over while it is being
     * restarted, nor a deployment start during another. Faults of different groups overlap freely.
     */
    enum Group {
        MEMBERSHIP, DEPLOYMENT, REDIS, DATABASE
    }

    final String flag;
    final String title;
    final Group group;

    Fault(String flag, String title, Group group) {
        this.flag = flag;
        this.title = title;
        this.group = group;
    }

    static Fault of(String flag) {
        return Arrays.stream(values()).filter(f -> f.flag.equals(flag)).findFirst()
                .orElseThrow(() -> new DrillException("no fault called '" + flag + "'; the faults are "
                        + String.join(", ", flags(List.of(values())))));
    }

    static List<String> flags(List<Fault> faults) {
        return faults.stream().map(f -> f.flag).toList();
    }
}
