import { Module } from '@nestjs/common';
import { BackfillService } from './backfill.service.js';
import { SyncController } from './sync.controller.js';

/** Two-way sync: initial syncs (backfills), resync. The upsert-with-link step itself runs in the engine. */
@Module({ controllers: [SyncController], providers: [BackfillService], exports: [BackfillService] })
export class SyncModule {}
