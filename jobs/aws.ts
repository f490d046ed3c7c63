/** AWS SDK v3 client settings for a config: the emulator's endpoint and fake credentials, or the standard chain. */
import type { AppConfig } from "../stacks/config";

export interface ClientSettings {
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts?: number;
}

export function clientSettings(config: Pick<AppConfig, "region" | "emulator">, region = config.region): ClientSettings {
  if (!config.emulator) return { region };
  return {
    region,
    endpoint: config.emulator.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 2,
  };
}
