package dev.posts.drill;

import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A stack deployed from deploy/infrastructure.yaml, its faults injected by {@code scripts/drill-aws.sh} with the
 * operator's AWS credentials (the AWS CLI's own environment: AWS_PROFILE, AWS_REGION, ...). The drill asks it once,
 * before any load, which faults the stack can take, so that a refusal comes before the drill rather than in it.
 */
final class AwsFleet implements Fleet {

    static final String SCRIPT = "scripts/drill-aws.sh";

    private final String script;
    private final String stack;
    private final URI uri;
    private final Map<Fault, String> refused = new EnumMap<>(Fault.class);

    /** {@code script}: {@link #SCRIPT}, or a stand-in that answers as it would. */
    AwsFleet(String script, String stack, URI uri, List<Fault> wanted) throws Exception {
        this.script = script;
        this.stack = stack;
        this.uri = uri != null ? uri : URI.create(aws("url").strip().lines().reduce((a, b) -> b).orElse(""));
        List<String> preflight = new ArrayList<>(List.of(script, "preflight", stack));
        List<Fault> asked = wanted.stream().filter(f -> f != Fault.PAUSE && f != Fault.CRASH).toList();
        preflight.addAll(Fault.flags(asked));
        Processes.Run run = asked.isEmpty() ? new Processes.Run(0, "") : Processes.exec(preflight, Map.of());
        if (run.exit() != 0 && run.exit() != 3) {
            throw new DrillException("could not ask AWS about the stack " + stack + ": " + run.output().strip());
        }
        for (Fault fault : asked) {
            run.output().lines().filter(line -> run.exit() == 3 && mentions(line, fault)).findFirst()
                    .ifPresent(line -> refused.put(fault, line.replaceFirst("^drill: ", "")));
        }
        refused.put(Fault.PAUSE, "ECS cannot pause a task");
        refused.put(Fault.CRASH, "ECS stops a task only the graceful way (kill); a crash needs access to the host");
    }

    /** A refusal line names its fault by flag, as drill-aws.sh prints them ("... [redis-failover]"). */
    private static boolean mentions(String line, Fault fault) {
        return line.contains("[" + fault.flag + "]");
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public String describe() {
        return "the stack " + stack + " on AWS (" + uri + ")";
    }

    @Override
    public String cannot(Fault fault) {
        return refused.get(fault);
    }

    @Override
    public String inject(Fault fault, int hold) throws Exception {
        return aws(fault.flag).strip();
    }

    private String aws(String command) throws Exception {
        Processes.Run run = Processes.exec(List.of(script, command, stack), Map.of());
        if (run.exit() != 0) {
            throw new DrillException(script + " " + command + " " + stack + " failed: " + run.output().strip());
        }
        return run.output();
    }

    @Override
    public void close() {
        // Nothing was started on AWS that outlives its own fault.
    }
}
