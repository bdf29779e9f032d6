import { graphql } from '../../gql';

export const SalesForecastDocument = graphql(`
  query SalesForecast($input: SalesForecastInput!) {
    salesForecast(input: $input) {
      baseCurrency
      rows {
        period
        periodStart
        groupId
        groupName
        pipeline {
          amount
        }
        weighted {
          amount
        }
        bestCase {
          amount
        }
        commit {
          amount
        }
        closedWon {
          amount
        }
        openDeals
        wonDeals
      }
    }
  }
`);

export const SalesActivityDocument = graphql(`
  query SalesActivity($from: DateTime!, $to: DateTime!) {
    salesActivity(from: $from, to: $to) {
      reps {
        userId
        name
        figures {
          calls
          meetings
          emails
          dealsCreated
          dealsWon
          dealsLost
          winRate
          averageSalesCycleDays
        }
      }
    }
  }
`);
