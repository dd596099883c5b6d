package dev.wiremesh.agent.api;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * How the agent reads request bodies: a null inside a list ({@code "peers": [null]}, {@code
 * "remove": [null]}) is refused while reading, with its path ({@code remove[0]}) as the field at
 * fault, instead of reaching the records' constructors (which reject it with an exception that
 * names no field).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

  @Override
  public void customize(ObjectMapper mapper) {
    mapper.configOverride(List.class).setSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL));
  }
}
