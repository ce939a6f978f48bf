import { Field, ID, InputType } from 'type-graphql';
import { ArrayMaxSize, IsOptional, Matches, ValidateNested } from 'class-validator';
import { Chars, NotBlank } from '../../common/validation';
import { AuditMethod, Verdict } from './audit.entity';

@InputType({ description: 'An audit of one claim or one commitment (give exactly one).' })
export class AssignAuditInput {
  @Field(() => ID, { nullable: true, description: 'The claim to check.' })
  claimId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The commitment to check.' })
  commitmentId?: string | null;

  @Field(() => AuditMethod, { description: 'How: 明察, 暗访, 核实档案资料 or 实地走访.' })
  method: AuditMethod;

  @Field(() => ID, { description: 'The auditor: not the cadre checked, nor from their region.' })
  auditorId: string;

  @Field(() => Date, { description: 'When the finding is due; in the future.' })
  dueAt: Date;
}

@InputType({ description: 'One item of evidence.' })
export class EvidenceInput {
  @Field({ description: 'e.g. PHOTO, DOCUMENT, INTERVIEW, LEDGER; 1–40 characters.' })
  @Chars(1, 40)
  @NotBlank()
  kind: string;

  @Field({ description: 'What it shows, 1–1000 characters.' })
  @Chars(1, 1000)
  @NotBlank()
  description: string;

  @Field({ description: 'SHA-256 of the file, 64 hexadecimal digits.' })
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'sha256 must be 64 hexadecimal digits' })
  sha256: string;

  @Field(() => Date, { description: 'When it was captured; not in the future.' })
  capturedAt: Date;

  @Field({ description: 'Where it was captured, 1–200 characters.' })
  @Chars(1, 200)
  @NotBlank()
  location: string;
}

@InputType({ description: 'An auditor’s finding.' })
export class FindingInput {
  @Field(() => Verdict, { description: 'The verdict.' })
  verdict: Verdict;

  @Field({ description: 'What was found, 1–5000 characters.' })
  @Chars(1, 5000)
  @NotBlank()
  summary: string;

  @Field(() => [EvidenceInput], { nullable: true, description: 'The evidence, at most 50 items.' })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  evidence?: EvidenceInput[] | null;

  @Field(() => String, { nullable: true, description: 'Required to correct a published finding: why it is wrong.' })
  @IsOptional()
  @Chars(1, 1000)
  correctionReason?: string | null;
}
