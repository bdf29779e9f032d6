import { graphql } from '../../gql';

export const AnalyticsRunFields = graphql(`
  fragment AnalyticsRunFields on AnalyticsRun {
    id
    status
    trigger
    progress
    stage
    createdAt
    startedAt
    finishedAt
    error
    asOf
    customersScored
    ordersUsed
    ordersWithoutRate
  }
`);

export const CustomerValueSummaryDocument = graphql(`
  query CustomerValueSummary {
    customerValueSummary {
      asOf
      customerCount
      totalRevenue {
        amount
        currency
      }
      run {
        ...AnalyticsRunFields
      }
      tiers {
        tier
        customers
        customerShare
        revenueShare
        revenue {
          amount
          currency
        }
        clv12M {
          amount
          currency
        }
      }
      segments {
        segment
        customers
        customerShare
        revenueShare
        revenue {
          amount
          currency
        }
      }
      pareto {
        top20RevenueShare
        customersFor80Share
        customersFor80Count
        curve {
          customerShare
          revenueShare
        }
      }
      models {
        fitError
      }
    }
    analyticsRuns(first: 1) {
      edges {
        node {
          ...AnalyticsRunFields
        }
      }
    }
  }
`);

export const AnalyticsRunDocument = graphql(`
  query AnalyticsRun($id: ID!) {
    analyticsRun(id: $id) {
      ...AnalyticsRunFields
    }
  }
`);

export const RecomputeCustomerValueDocument = graphql(`
  mutation RecomputeCustomerValue {
    recomputeCustomerValue {
      ...AnalyticsRunFields
    }
  }
`);

// The RFM grid and the CLV and churn distributions, aggregated by the API
// over the caller's visible customers.
export const ValueDistributionsDocument = graphql(`
  query ValueDistributions {
    customerValueSummary {
      asOf
      totalRevenue {
        currency
      }
      rfmGrid {
        recencyScore
        frequencyScore
        customers
      }
      clv: distribution(figure: CLV_12M, buckets: 10) {
        lower
        upper
        customers
      }
      churn: distribution(figure: CHURN_RISK, buckets: 10) {
        lower
        upper
        customers
      }
    }
  }
`);

export const AnalyzeDocument = graphql(`
  query Analyze($measures: [AnalysisMeasure!]!, $dimensions: [AnalysisDimension!]!, $filter: AnalysisFilter) {
    analyze(measures: $measures, dimensions: $dimensions, filter: $filter) {
      currency
      dimensions
      measures
      rows {
        keys {
          dimension
          value
          label
        }
        revenue {
          amount
        }
        cost {
          amount
        }
        margin {
          amount
        }
        orderCount
        customerCount
        averageOrderValue {
          amount
        }
      }
      total {
        revenue {
          amount
        }
        cost {
          amount
        }
        margin {
          amount
        }
        orderCount
        customerCount
        averageOrderValue {
          amount
        }
      }
    }
  }
`);

export const GrowthMetricFields = graphql(`
  fragment GrowthMetricFields on GrowthMetric {
    current
    previous
    change
    relativeChange
  }
`);

export const GrowthMoneyMetricFields = graphql(`
  fragment GrowthMoneyMetricFields on GrowthMoneyMetric {
    current {
      amount
      currency
    }
    previous {
      amount
      currency
    }
    relativeChange
  }
`);

/** Wider, longer and deeper relationships: a period against the one before it. */
export const CustomerGrowthDocument = graphql(`
  query CustomerGrowth($from: DateTime!, $to: DateTime!, $lapseDays: Int) {
    customerGrowth(from: $from, to: $to, lapseDays: $lapseDays) {
      from
      to
      previousFrom
      previousTo
      wider {
        activeCustomers {
          ...GrowthMetricFields
        }
        newCustomers {
          ...GrowthMetricFields
        }
        wonBackCustomers {
          ...GrowthMetricFields
        }
      }
      longer {
        retentionRate {
          ...GrowthMetricFields
        }
        churnRate {
          ...GrowthMetricFields
        }
        averageRelationshipDays {
          ...GrowthMetricFields
        }
      }
      deeper {
        productsPerCustomer {
          ...GrowthMetricFields
        }
        crossSellRate {
          ...GrowthMetricFields
        }
        revenue {
          ...GrowthMoneyMetricFields
        }
        revenuePerCustomer {
          ...GrowthMoneyMetricFields
        }
      }
    }
  }
`);

export const CrossSellDocument = graphql(`
  query CrossSell($customerId: ID!, $first: Int, $minCustomers: Int) {
    crossSellRecommendations(customerId: $customerId, first: $first, minCustomers: $minCustomers) {
      product {
        id
        name
        sku
      }
      becauseOf {
        id
        name
      }
      support
      confidence
      lift
      customersWithBoth
    }
  }
`);
