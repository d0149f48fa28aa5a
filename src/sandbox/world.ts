/**
 * The sandbox's seeded world: one workspace with two channels, an admin and a teammate, a
 * group-enabled line and a one-to-one line, and ten contacts with names. Numbers are in the 555-01xx
 * range, which North American carriers never assign.
 */

export interface SandboxTeammate {
  id: string;
  name: string;
  realName: string;
  admin: boolean;
}

export const SANDBOX_CHANNELS = [
  { id: "CSALES", name: "sales" },
  { id: "CGENERAL", name: "general" },
] as const;

export const SANDBOX_TEAMMATES: readonly SandboxTeammate[] = [
  { id: "UDANA", name: "dana", realName: "Dana Reyes", admin: true },
  { id: "UEVAN", name: "evan", realName: "Evan Cole", admin: false },
];

export const SANDBOX_LINES = [
  { number: "+19195550100", name: "Sales", groupEnabled: true, channel: "CSALES" },
  { number: "+19195550101", name: "Front desk", groupEnabled: false, channel: "CGENERAL" },
] as const;

export const SANDBOX_CONTACTS = [
  { number: "+16465550101", name: "Ana Ruiz" },
  { number: "+16465550102", name: "Ben Cho" },
  { number: "+16465550103", name: "Carla Diaz" },
  { number: "+16465550104", name: "Dev Patel" },
  { number: "+16465550105", name: "Emma Stone" },
  { number: "+16465550106", name: "Femi Ade" },
  { number: "+16465550107", name: "Gia Russo" },
  { number: "+16465550108", name: "Hugo Laurent" },
  { number: "+16465550109", name: "Iris Novak" },
  { number: "+16465550110", name: "Jon Berg" },
] as const;

/** BANDWIDTH_LINES for the seeded lines: `NUMBER=NAME[:group][:CHANNEL_ID]`. */
export function sandboxLinesVariable(): string {
  return SANDBOX_LINES.map((l) => `${l.number}=${l.name}${l.groupEnabled ? ":group" : ""}:${l.channel}`).join(
    ",",
  );
}
