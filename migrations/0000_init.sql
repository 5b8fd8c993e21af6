CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`type` text NOT NULL,
	`message` text NOT NULL,
	`triggered_at` integer NOT NULL,
	`details` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alerts_triggered_idx` ON `alerts` (`triggered_at`,`id`);--> statement-breakpoint
CREATE INDEX `alerts_client_triggered_idx` ON `alerts` (`client_id`,`triggered_at`,`id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target_id` text NOT NULL,
	`client_id` text NOT NULL,
	`ip` text,
	`request_id` text,
	`details` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_at_idx` ON `audit_log` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_target_at_idx` ON `audit_log` (`target_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_client_at_idx` ON `audit_log` (`client_id`,`at`);--> statement-breakpoint
CREATE TABLE `clients` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`environment` text NOT NULL,
	`rate_limit` integer NOT NULL,
	`retention_days` integer NOT NULL,
	`status` text NOT NULL,
	`secret_hash` text NOT NULL,
	`secret_last_four` text NOT NULL,
	`secret_version` integer NOT NULL,
	`previous_secret_hash` text,
	`previous_secret_version` integer,
	`previous_secret_expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_used_at` integer,
	`secret_rotated_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `clients_created_idx` ON `clients` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `clients_status_created_idx` ON `clients` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `clients_environment_created_idx` ON `clients` (`environment`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `usage_hourly` (
	`client_id` text NOT NULL,
	`hour` integer NOT NULL,
	`workflow_id` text NOT NULL,
	`requests` integer NOT NULL,
	`successful_requests` integer NOT NULL,
	`rate_limited_requests` integer NOT NULL,
	`failed_authentications` integer NOT NULL,
	`units_consumed` integer NOT NULL,
	`response_ms_total` integer NOT NULL,
	`responses` integer DEFAULT 0 NOT NULL,
	`errors` text NOT NULL,
	PRIMARY KEY(`client_id`, `hour`, `workflow_id`)
);
--> statement-breakpoint
CREATE INDEX `usage_hour_idx` ON `usage_hourly` (`hour`);--> statement-breakpoint
CREATE TABLE `workflows` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`allowed_origins` text DEFAULT '[]' NOT NULL,
	`refresh_token` text NOT NULL,
	`token_id` text NOT NULL,
	`token_secret_version` integer NOT NULL,
	`token_issued_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_used_at` integer,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `workflows_client_created_idx` ON `workflows` (`client_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `workflows_created_idx` ON `workflows` (`created_at`,`id`);