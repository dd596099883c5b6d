package dev.wiremesh.operator.reconcile;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/** The wall clock; tests may replace it. */
@ApplicationScoped
public class ClockProducer {
  @Produces
  @DefaultBean
  @jakarta.inject.Singleton
  Clock clock() {
    return Clock.systemUTC();
  }
}
