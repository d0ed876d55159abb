// The status of one stream connection: what /health lists, what liq:status:{instance} holds (JSON per connection),
// and what the dashboards read back.

/** Status of one connection as written under liq:status:{instance} (JSON value per connection name). */
export interface StreamStatus {
  venue: string;
  exchange: string;
  connection: string;
  state: string; // idle | connecting | subscribing | open | backoff | stopped
  topics: number;
  lastMessageAt: number | null;
  reconnects: number;
  since: number;
  updatedAt: number;
}
