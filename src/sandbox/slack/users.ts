/** users.info: the people the app names and checks for admin rights. */
import type { MethodTable, SlackState } from "./state";
import { BOT_USER_ID, type FakeUser, SlackApiError, TEAM_ID } from "./types";
import { type Json, requireStr } from "./wire";

function userObject(id: string, u: FakeUser): Json {
  const name = u.name ?? id.toLowerCase();
  const realName = u.real_name ?? name;
  return {
    id,
    team_id: TEAM_ID,
    name,
    deleted: u.deleted ?? false,
    real_name: realName,
    tz: u.tz ?? "America/New_York",
    tz_label: "Eastern Standard Time",
    tz_offset: -18000,
    profile: {
      real_name: realName,
      real_name_normalized: realName,
      display_name: name,
      display_name_normalized: name,
      image_48: `https://avatars.example.com/${id}_48.png`,
      image_72: `https://avatars.example.com/${id}_72.png`,
      team: TEAM_ID,
    },
    is_admin: u.is_admin ?? false,
    is_owner: u.is_owner ?? false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: u.is_bot ?? false,
    is_app_user: false,
    updated: 1_700_000_000,
  };
}

function info(s: SlackState, args: Json): Json {
  const id = requireStr(args, "user", "user_not_found");
  if (id === BOT_USER_ID)
    return { user: userObject(id, { name: "replyall", real_name: "Reply-All Texts", is_bot: true }) };
  const u = s.users.get(id);
  if (!u) throw new SlackApiError("user_not_found");
  return { user: userObject(id, u) };
}

export function userMethods(s: SlackState): MethodTable {
  return { "users.info": (args) => info(s, args) };
}
