import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { CommonError, CommonErrorCode } from '../common/braid.error.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus scrape endpoint; 404 unless BRAID_METRICS=on (it is public: keep it off the open internet). */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res() response: Response): Promise<void> {
    if (!this.metrics.enabled) {
      throw new CommonError(CommonErrorCode.NOT_FOUND, 'Metrics are off: set BRAID_METRICS=on to serve /metrics.');
    }
    const { contentType, body } = await this.metrics.render();
    response.setHeader('Content-Type', contentType);
    response.send(body);
  }
}
