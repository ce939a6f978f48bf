import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ThemesContext } from './themes.context';
import { actorIdOf } from '../../auth/principal';
import { User } from '../../auth/user.entity';
import { ThemeCall } from './theme-call.entity';
import { Theme, ThemeStatus } from './theme.entity';
import { OpenThemeCallInput, ProposeThemeInput } from './theme.inputs';
import { ThemeService } from './theme.service';

@Resolver(() => Theme)
export class ThemeResolver {
  constructor(private readonly themesService: ThemeService) {}

  @Query(() => [Theme], { description: 'Themes, oldest first, optionally of one status.' })
  themes(@Arg('status', () => ThemeStatus, { nullable: true }) status?: ThemeStatus): Promise<Theme[]> {
    return this.themesService.themes(status ?? undefined);
  }

  @Query(() => [ThemeCall], { description: 'Calls for themes, newest first.' })
  themeCalls(): Promise<ThemeCall[]> {
    return this.themesService.themeCalls();
  }

  @Mutation(() => ThemeCall, { description: 'Opens a call for themes to the city leaders (admin).' })
  openThemeCall(@Arg('input', () => OpenThemeCallInput) input: OpenThemeCallInput, @Ctx() ctx: ThemesContext): Promise<ThemeCall> {
    return this.themesService.openThemeCall(input, actorIdOf(ctx.principal));
  }

  @Mutation(() => Theme, { description: 'A city leader proposes a theme; it starts PROPOSED.' })
  proposeTheme(@Arg('input', () => ProposeThemeInput) input: ProposeThemeInput, @Ctx() ctx: ThemesContext): Promise<Theme> {
    return this.themesService.proposeTheme(ctx.principal, input);
  }

  @Mutation(() => Theme, { description: 'Approves a PROPOSED theme so sessions can be scheduled on it (admin).' })
  approveTheme(@Arg('id', () => ID) id: string, @Ctx() ctx: ThemesContext): Promise<Theme> {
    return this.themesService.approveTheme(id, actorIdOf(ctx.principal));
  }

  @Mutation(() => Theme, { description: 'Rejects a PROPOSED theme, saying why (admin).' })
  rejectTheme(@Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string, @Ctx() ctx: ThemesContext): Promise<Theme> {
    return this.themesService.rejectTheme(id, reason, actorIdOf(ctx.principal));
  }

  @FieldResolver(() => User, { description: 'The leader who proposed it.' })
  async proposedBy(@Root() theme: Theme, @Ctx() ctx: ThemesContext): Promise<User> {
    return (await ctx.loaders.user.load(theme.proposedById))!;
  }
}
