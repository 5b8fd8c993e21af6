CREATE TABLE `admin_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`permissions` text NOT NULL,
	`client_ids` text,
	`secret_hash` text NOT NULL,
	`secret_last_four` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	`created_by` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `admin_tokens_secret_hash_idx` ON `admin_tokens` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `admin_tokens_created_idx` ON `admin_tokens` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `clients_secret_hash_idx` ON `clients` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `clients_previous_secret_hash_idx` ON `clients` (`previous_secret_hash`);