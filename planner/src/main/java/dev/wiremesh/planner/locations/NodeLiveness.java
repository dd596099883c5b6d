package dev.wiremesh.planner.locations;

/**
 * Which nodes' agents count as there, for choosing leaders: <em>alive</em> (answered within the
 * failover time) and <em>settled</em> (answered without a gap for at least the failover time). The
 * operator keeps this from its status polls ({@link AgentLiveness}); a plan made without polling
 * (the kubectl plugin) takes every node as alive and settled.
 */
public interface NodeLiveness {

  boolean alive(String node);

  boolean settled(String node);

  /** Every node alive and settled. */
  NodeLiveness ALL =
      new NodeLiveness() {
        @Override
        public boolean alive(String node) {
          return true;
        }

        @Override
        public boolean settled(String node) {
          return true;
        }
      };
}
