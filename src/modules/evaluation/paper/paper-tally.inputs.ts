import { Field, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'One speaker’s counts from the paper ballots: how many ballots gave each grade.' })
export class PaperSpeechCountInput {
  @Field(() => ID, { description: 'The speech of the line-up these counts are for.' })
  speechId: string;

  @Field(() => Int, { description: 'Ballots grading it EXCELLENT (优秀), 0 or more.' })
  excellent: number;

  @Field(() => Int, { description: 'Ballots grading it GOOD (良好), 0 or more.' })
  good: number;

  @Field(() => Int, { description: 'Ballots grading it AVERAGE (一般), 0 or more.' })
  average: number;

  @Field(() => Int, { description: 'Ballots grading it POOR (较差), 0 or more.' })
  poor: number;
}

@InputType({ description: 'The hand count of the paper ballots: how many were handed in, and every graded speaker’s counts once.' })
export class PaperTallyInput {
  @Field(() => Int, { description: 'Paper ballots handed in, 0 or more.' })
  ballots: number;

  @Field(() => [PaperSpeechCountInput], { description: 'Every graded speech of the line-up (not the withdrawn ones), exactly once.' })
  counts: PaperSpeechCountInput[];
}
