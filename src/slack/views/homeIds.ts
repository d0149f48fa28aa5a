/** action_ids of the Home tab's interactive elements and callback_ids of the modals it opens. */
export const HOME_ACTIONS = {
  nav: "home_nav",
  page: "home_page",
  search: "home_search",
  lineAdd: "home_line_add",
  lineMenu: "home_line_menu",
  contactAdd: "home_contact_add",
  contactImport: "home_contact_import",
  contactEdit: "home_contact_edit",
  optOutLine: "home_optout_line",
  conversationLine: "home_conversation_line",
  conversationState: "home_conversation_state",
  consentOpen: "home_consent_open",
  optOutExport: "home_optout_export",
  senderName: "home_sender_name",
  noteMarker: "home_note_marker",
  adminAdd: "home_admin_add",
  adminRemove: "home_admin_remove",
} as const;

/** Options of a line's overflow menu; the option's value is `${op}:${lineId}`. */
export const LINE_MENU_OPS = ["edit", "compliance", "optouts", "deactivate", "activate"] as const;
export type LineMenuOp = (typeof LINE_MENU_OPS)[number];

export const MODALS = {
  line: "home_line",
  compliance: "home_compliance",
  contact: "home_contact",
  import: "home_import",
  importResult: "home_import_result",
  consent: "home_consent",
} as const;

/** Buttons inside the compliance modal. */
export const COMPLIANCE_ACTIONS = {
  preview: "compliance_preview",
  reset: "compliance_reset",
} as const;
