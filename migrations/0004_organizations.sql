CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`max_rate_limit` integer NOT NULL,
	`max_clients` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `organizations_created_idx` ON `organizations` (`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `admin_tokens` ADD `organization_id` text;--> statement-breakpoint
CREATE INDEX `admin_tokens_organization_created_idx` ON `admin_tokens` (`organization_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `audit_log` ADD `organization_id` text;--> statement-breakpoint
CREATE INDEX `audit_organization_at_idx` ON `audit_log` (`organization_id`,`at`,`id`);--> statement-breakpoint
ALTER TABLE `clients` ADD `organization_id` text DEFAULT 'org_default' NOT NULL;--> statement-breakpoint
CREATE INDEX `clients_organization_created_idx` ON `clients` (`organization_id`,`created_at`,`id`);--> statement-breakpoint
-- Written by hand (drizzle-kit generates schema changes only). The ADD COLUMN above already put
-- every existing client in org_default: SQLite fills existing rows with the column's DEFAULT, the
-- only way it can add a NOT NULL column without rebuilding the table. Here the organization itself
-- is created, with the plan that keeps every existing client within it (1000/min, 10000 clients).
INSERT INTO `organizations` (`id`, `name`, `max_rate_limit`, `max_clients`, `created_at`, `updated_at`)
VALUES ('org_default', 'Default', 1000, 10000, strftime('%s', 'now') * 1000, strftime('%s', 'now') * 1000)
ON CONFLICT (`id`) DO NOTHING;--> statement-breakpoint
-- Existing audit entries about clients belong to org_default with their clients; those about admin
-- tokens (client_id '') stay NULL: existing tokens are bound to no organization.
UPDATE `audit_log` SET `organization_id` = 'org_default' WHERE `client_id` <> '';
