import { AppError } from '../../common/errors';

/** A change to a session whose archive is sealed: sealed is sealed. */
export class ArchiveSealedError extends AppError {
  constructor(sessionId: number) {
    super('ARCHIVE_SEALED', `session ${sessionId} is sealed in the archive; it can no longer change`, { sessionId: String(sessionId) });
  }
}
