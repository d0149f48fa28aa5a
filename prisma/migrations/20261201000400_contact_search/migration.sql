-- Type-ahead search in the group modal: prefix matches on a contact's name (any case) and number
-- are answered from these indexes, best matches first, within Slack's 3 s for options.
-- text_pattern_ops makes LIKE 'prefix%' use the index whatever the database's collation.
-- schema.prisma cannot state expression or operator-class btree indexes; see the note on Contact there.

-- CreateIndex
CREATE INDEX "Contact_name_search_idx" ON "Contact" (lower("name") text_pattern_ops);

-- CreateIndex
CREATE INDEX "Contact_number_search_idx" ON "Contact" ("number" text_pattern_ops);
