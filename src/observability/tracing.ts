/**
 * Tracing (OpenTelemetry): a span per login step and per back-channel call,
 * each with the login's correlation id, exported over OTLP/HTTP (JSON) when
 * `tracing.otlpEndpoint` is set. Off by default, and then free: `inSpan` runs
 * its function directly and the SDK is never loaded.
 */
import { context, trace, SpanStatusCode, type Attributes, type Span } from "@opentelemetry/api";

export interface TracingSettings {
  otlpEndpoint?: string | undefined;
  serviceName: string;
}

let enabled = false;

export function tracingEnabled(): boolean {
  return enabled;
}

/** Runs `run` inside a span named `name` (when tracing is on); a thrown error marks the span failed. */
export async function inSpan<T>(name: string, attributes: Attributes, run: (span: Span | undefined) => Promise<T> | T): Promise<T> {
  if (!enabled) return run(undefined);
  return trace.getTracer("kommune-context-broker").startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await run(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Starts exporting spans to the OTLP endpoint; returns the function that
 * flushes what is pending and stops. Without an endpoint nothing is loaded.
 */
export async function startTracing(settings: TracingSettings): Promise<(() => Promise<void>) | undefined> {
  const url = settings.otlpEndpoint;
  if (url === undefined) return undefined;
  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, { AsyncLocalStorageContextManager }] = await Promise.all([
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/context-async-hooks"),
  ]);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), scheduledDelayMillis: 1000 })],
  });
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return async () => {
    enabled = false;
    await provider.shutdown();
    trace.disable();
    context.disable();
  };
}
