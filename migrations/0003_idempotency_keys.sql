CREATE TABLE `idempotency_keys` (
	`actor` text NOT NULL,
	`key` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`body_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`state` text NOT NULL,
	`claim_id` text,
	`locked_until` integer,
	`status` integer,
	`content_type` text,
	`body` text,
	`resource_id` text,
	`renewal` text,
	PRIMARY KEY(`actor`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_idx` ON `idempotency_keys` (`created_at`);