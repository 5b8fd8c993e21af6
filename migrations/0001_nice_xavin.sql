CREATE INDEX `clients_secret_hash_idx` ON `clients` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `clients_previous_secret_hash_idx` ON `clients` (`previous_secret_hash`);