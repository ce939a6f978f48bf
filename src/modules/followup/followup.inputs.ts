import { ArrayMaxSize, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { PageArgs } from '../../common/pagination';
import { Chars, NotBlank } from '../../common/validation';
import { EvidenceInput } from '../audit/audit.inputs';
import { ActionItemStatus, DecisionKind, ProgressStatus } from './followup.entity';

@InputType({ description: 'A leader’s directive turned into an action item (督办事项).' })
export class ActionItemInput {
  @Field(() => ID, { description: 'The DIRECTIVE review it tracks.' })
  reviewId: string;

  @Field({ description: 'What is to be done, 1–200 characters.' })
  @Chars(1, 200)
  @NotBlank()
  title: string;

  @Field(() => ID, { description: 'The cadre who owns it.' })
  ownerCadreId: string;

  @Field(() => Date, { description: 'When it is due; in the future.' })
  dueAt: Date;
}

@InputType({ description: 'Progress on a commitment or an action item (give exactly one), by the cadre who owns it.' })
export class ProgressInput {
  @Field(() => ID, { nullable: true, description: 'The commitment (its current version).' })
  commitmentId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The action item.' })
  actionItemId?: string | null;

  @Field({ description: 'What was done, 1–2000 characters.' })
  @Chars(1, 2000)
  @NotBlank()
  note: string;

  @Field(() => Int, { description: 'How far along, 0–100.' })
  @IsInt()
  @Min(0)
  @Max(100)
  percent: number;

  @Field(() => [EvidenceInput], { nullable: true, description: 'Evidence, at most 20 items; each file’s SHA-256 is computed in the browser and the file stays with the cadre.' })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  evidence?: EvidenceInput[] | null;
}

@InputType({ description: 'A decision about a cadre and what it rests on (a published finding, a session, or both).' })
export class DecisionInput {
  @Field(() => ID, { description: 'The cadre concerned.' })
  cadreId: string;

  @Field(() => DecisionKind, { description: 'COMMENDATION, ACCOUNTABILITY or NO_ACTION.' })
  kind: DecisionKind;

  @Field({ description: 'Why, 1–2000 characters.' })
  @Chars(1, 2000)
  @NotBlank()
  reason: string;

  @Field(() => ID, { nullable: true, description: 'A published finding about the cadre it rests on.' })
  findingId?: string | null;

  @Field(() => ID, { nullable: true, description: 'A session the cadre spoke in whose evaluation it rests on.' })
  sessionId?: string | null;
}

@ArgsType()
export class ActionItemsArgs extends PageArgs {
  @Field(() => ActionItemStatus, { nullable: true, description: 'Only items of this derived status.' })
  status?: ActionItemStatus | null;

  @Field(() => ID, { nullable: true, description: 'Only items this cadre owns.' })
  cadreId?: string | null;
}

@ArgsType()
export class ProgressReportsArgs extends PageArgs {
  @Field(() => ProgressStatus, { nullable: true, description: 'Only reports of this status (PENDING: awaiting verification).' })
  status?: ProgressStatus | null;

  @Field(() => ID, { nullable: true, description: 'Only reports on this commitment.' })
  commitmentId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only reports on this action item.' })
  actionItemId?: string | null;
}
